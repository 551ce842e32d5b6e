/* SPDX-License-Identifier: MIT */
/* minivmm bench's command line: its options, their checks and its --help. */
#include "bench/bench.h"

#include <errno.h>

#include "cli/option_values.h"
#include "cli/options.h"

void bench_usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm bench [options]\n"
		"\n"
		"Exit round trips (ring-0 guest loops) under minivmm vs a bare KVM loop, and the\n"
		"cost of tracing: medians of R runs of N exits each. Then VM churn: VMS whole VMs\n"
		"created, booted and destroyed, beside the same VM life in bare KVM ioctls, with\n"
		"KVM's teardown overlapped on helper threads and closed one by one, with and\n"
		"without the irqchip. Last, R times: a 64 MiB VM booted to its first\n"
		"guest instruction, and restored from a snapshot of it to its first instruction\n"
		"(docs/snapshot.md). tools/bench adds QEMU, boot time and memory.\n"
		"\n"
		"--boot-floor does none of that: it is tools/bench's reference for boot to the\n"
		"first byte. One VM as `minivmm run` builds it by default (64 MiB, KVM's irqchip\n"
		"and PIT) but in bare KVM ioctls, whose guest (two instructions) hands a newline\n"
		"to a port; the byte goes to stdout, then the VM is closed.\n"
		"\n"
		"bench options:\n"
		"  -n, --iterations N   exits per run, 10 to 100000000 (default 20000)\n"
		"  -r, --repeats R      runs per figure, 1 to %d (default 5)\n"
		"      --churn VMS      VMs per churn run, 0 to 100000 (default 200; 0 skips it)\n"
		"      --json FILE      also write the figures to FILE as JSON\n"
		"      --kvm PATH       the KVM device (default /dev/kvm)\n"
		"      --boot-floor     only the boot floor above\n"
		"  -h, --help           this text\n",
		BENCH_MAX_REPEATS);
}

static const struct option bench_long_options[] = {{"iterations", required_argument, NULL, 'n'},
						   {"repeats", required_argument, NULL, 'r'},
						   {"json", required_argument, NULL, 'j'},
						   {"kvm", required_argument, NULL, 'k'},
						   {"churn", required_argument, NULL, 'c'},
						   {"boot-floor", no_argument, NULL, 'b'},
						   {"help", no_argument, NULL, 'h'},
						   {NULL, 0, NULL, 0}};

const struct cli_spec bench_cli_spec = {
    .short_options = "n:r:h",
    .long_options = bench_long_options,
    .usage = bench_usage,
};

static int bench_option(int opt, const char *arg, void *ctx, struct vmm_error *err)
{
	struct bench_options *o = ctx;
	uint64_t v;
	int ret;
	switch (opt) {
	case 'n':
		ret = cli_count("--iterations", arg, 10, 100000000, &v, err);
		if (!ret)
			o->iterations = (uint32_t)v;
		return ret;
	case 'r':
		ret = cli_count("--repeats", arg, 1, BENCH_MAX_REPEATS, &v, err);
		if (!ret)
			o->repeats = (unsigned)v;
		return ret;
	case 'c':
		ret = cli_count("--churn", arg, 0, 100000, &v, err);
		if (!ret)
			o->churn = (unsigned)v;
		return ret;
	case 'b':
		o->boot_floor = true;
		return 0;
	case 'j':
		o->json_path = arg;
		return cli_path("--json", arg, "--json bench.json", err);
	case 'k':
		o->kvm_device = arg;
		return cli_path("--kvm", arg, "--kvm /dev/kvm", err);
	default: /* an option in bench_long_options without a case here */
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "option %d not handled", opt);
	}
}

int bench_parse_options(int argc, char **argv, struct bench_options *o, struct vmm_error *err)
{
	*o = (struct bench_options){.iterations = 20000, .repeats = 5, .churn = 200};
	return cli_parse(&bench_cli_spec, argc, argv, bench_option, o, NULL, err);
}
