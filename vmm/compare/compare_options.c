/* SPDX-License-Identifier: MIT */
/* minivmm compare's command line: its options, their checks and its --help. */
#include "compare/compare.h"

#include <errno.h>

#include "cli/option_values.h"
#include "cli/options.h"

void compare_usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm compare [options]\n"
		"\n"
		"Times the same operations as a host process and as a ring-3 program in the toy\n"
		"guest, and where the guest's time goes (docs/host-vs-guest.md).\n"
		"\n"
		"compare options:\n"
		"  -r, --repeats R      runs per figure, medians reported, 1 to %d (default 5)\n"
		"      --scale F        multiply every iteration count by F, above 0 and at most\n"
		"                       %g, as digits with an optional fraction (default 1;\n"
		"                       e.g. 0.01 for a quick look)\n"
		"      --svg FILE       also draw the table as a bar chart (log scale)\n"
		"      --json           print JSON instead of the table\n"
		"      --kvm PATH       the KVM device (default /dev/kvm)\n"
		"  -h, --help           this text\n",
		COMPARE_MAX_REPEATS, COMPARE_MAX_SCALE);
}

static const struct option compare_long_options[] = {{"repeats", required_argument, NULL, 'r'},
						     {"scale", required_argument, NULL, 's'},
						     {"svg", required_argument, NULL, 'g'},
						     {"json", no_argument, NULL, 'j'},
						     {"kvm", required_argument, NULL, 'k'},
						     {"help", no_argument, NULL, 'h'},
						     {NULL, 0, NULL, 0}};

const struct cli_spec compare_cli_spec = {
    .short_options = "r:h",
    .long_options = compare_long_options,
    .usage = compare_usage,
};

static int compare_option(int opt, const char *arg, void *ctx, struct vmm_error *err)
{
	struct compare_cli *c = ctx;
	uint64_t v;
	int ret;
	switch (opt) {
	case 'r':
		ret = cli_count("--repeats", arg, 1, COMPARE_MAX_REPEATS, &v, err);
		if (!ret)
			c->o.repeats = (unsigned)v;
		return ret;
	case 's':
		return cli_decimal("--scale", arg, COMPARE_MAX_SCALE, &c->o.scale, err);
	case 'g':
		c->svg_path = arg;
		return cli_path("--svg", arg, "--svg compare.svg", err);
	case 'j':
		c->json = true;
		return 0;
	case 'k':
		c->o.kvm_device = arg;
		return cli_path("--kvm", arg, "--kvm /dev/kvm", err);
	default: /* an option in compare_long_options without a case here */
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "option %d not handled", opt);
	}
}

int compare_parse_options(int argc, char **argv, struct compare_cli *c, struct vmm_error *err)
{
	*c = (struct compare_cli){.o = {.repeats = 5, .scale = 1.0, .mem_mib = 16}};
	return cli_parse(&compare_cli_spec, argc, argv, compare_option, c, NULL, err);
}
