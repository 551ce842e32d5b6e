/* SPDX-License-Identifier: MIT */
/* minivmm run and restore: their options and checks (their --help is run_usage.c). */
#include "cli/cli.h"

#include <errno.h>
#include <string.h>

#include "cli/option_values.h"
#include "cli/options.h"
#include "machine/boot_protocol.h"
#include "machine/kvm.h"

enum {
	OPT_CMDLINE = 256,
	OPT_GUEST,
	OPT_LIST_GUESTS,
	OPT_FLAT,
	OPT_LOAD_ADDR,
	OPT_STRICT_IO,
	OPT_NO_WRITE_BATCHING,
	OPT_TIMEOUT,
	OPT_KVM,
	OPT_TRACE,
	OPT_TRACE_FILTER,
	OPT_TRACE_JSON,
	OPT_TIMELINE,
	OPT_TIMELINE_EXITS,
	OPT_STATS,
	OPT_IN_KERNEL_EXITS,
	OPT_NO_SANDBOX,
	OPT_NO_IRQCHIP,
	OPT_REBOOT,
	OPT_BOOT,
	OPT_MODULE,
	OPT_CPUS,
	OPT_DIRECT_SMP,
	OPT_SIPI_SMP,
	OPT_CPU_MODEL,
	OPT_GDB,
	OPT_GDB_WAIT,
	OPT_API_SOCK,
	OPT_RESULT,
	OPT_SNAPSHOT_ON_EXIT,
};

/* The options of run that restore takes too: those that apply to a VM that already exists. One
 * list, so the two commands cannot drift apart. */
/* clang-format off */
#define RUN_AND_RESTORE_OPTIONS                                          \
    {"strict-io", no_argument, NULL, OPT_STRICT_IO},                     \
    {"no-write-batching", no_argument, NULL, OPT_NO_WRITE_BATCHING},     \
    {"timeout", required_argument, NULL, OPT_TIMEOUT},                   \
    {"kvm", required_argument, NULL, OPT_KVM},                           \
    {"trace", optional_argument, NULL, OPT_TRACE},                       \
    {"trace-filter", required_argument, NULL, OPT_TRACE_FILTER},         \
    {"trace-json", required_argument, NULL, OPT_TRACE_JSON},             \
    {"timeline", required_argument, NULL, OPT_TIMELINE},                 \
    {"timeline-exits", required_argument, NULL, OPT_TIMELINE_EXITS},     \
    {"stats", no_argument, NULL, OPT_STATS},                             \
    {"in-kernel-exits", required_argument, NULL, OPT_IN_KERNEL_EXITS},   \
    {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},                   \
    {"gdb", required_argument, NULL, OPT_GDB},                           \
    {"gdb-wait", no_argument, NULL, OPT_GDB_WAIT},                       \
    {"api-sock", required_argument, NULL, OPT_API_SOCK},                 \
    {"result", required_argument, NULL, OPT_RESULT},                     \
    {"snapshot-on-exit", required_argument, NULL, OPT_SNAPSHOT_ON_EXIT}, \
    {"help", no_argument, NULL, 'h'},                                    \
    {NULL, 0, NULL, 0}
/* clang-format on */

static const struct option run_long_options[] = {
    {"memory", required_argument, NULL, 'm'},
    {"cmdline", required_argument, NULL, OPT_CMDLINE},
    {"guest", required_argument, NULL, OPT_GUEST},
    {"list-guests", no_argument, NULL, OPT_LIST_GUESTS},
    {"flat", no_argument, NULL, OPT_FLAT},
    {"load-addr", required_argument, NULL, OPT_LOAD_ADDR},
    {"no-irqchip", no_argument, NULL, OPT_NO_IRQCHIP},
    {"reboot", no_argument, NULL, OPT_REBOOT},
    {"boot", required_argument, NULL, OPT_BOOT},
    {"module", required_argument, NULL, OPT_MODULE},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"direct-smp", no_argument, NULL, OPT_DIRECT_SMP},
    {"sipi-smp", no_argument, NULL, OPT_SIPI_SMP},
    {"cpu-model", required_argument, NULL, OPT_CPU_MODEL},
    RUN_AND_RESTORE_OPTIONS,
};

static const struct option restore_long_options[] = {RUN_AND_RESTORE_OPTIONS};

const struct cli_spec cli_run_spec = {
    .short_options = "m:h",
    .long_options = run_long_options,
    .operand = "GUEST",
    .usage = cli_run_usage,
};

static int parse_option(int opt, const char *arg, void *ctx, struct vmm_error *err)
{
	struct run_options *opts = ctx;
	uint64_t n;
	int ret;
	switch (opt) {
	case 'm':
		return cli_size("-m", arg, &opts->memory, err);
	case OPT_CMDLINE:
		opts->cmdline = arg;
		return 0;
	case OPT_GUEST:
		opts->builtin_name = arg;
		return 0;
	case OPT_LIST_GUESTS:
		opts->list_guests = true;
		return 0;
	case OPT_FLAT:
		opts->flat = true;
		return 0;
	case OPT_LOAD_ADDR:
		return cli_address("--load-addr", arg, &opts->load_addr, err);
	case OPT_STRICT_IO:
		opts->strict_io = true;
		return 0;
	case OPT_NO_WRITE_BATCHING:
		opts->no_write_batching = true;
		return 0;
	case OPT_TIMEOUT:
		return cli_seconds("--timeout", arg, &opts->timeout_seconds, err);
	case OPT_KVM:
		opts->kvm_device = arg;
		return cli_path("--kvm", arg, "--kvm " KVM_DEFAULT_DEVICE, err);
	case OPT_TRACE:
		opts->trace.text = true;
		opts->trace.text_path = arg && strcmp(arg, "-") != 0 ? arg : NULL;
		return arg ? cli_path("--trace", arg, "--trace=trace.txt", err) : 0;
	case OPT_TRACE_FILTER:
		opts->trace.filter = arg;
		return 0;
	case OPT_TRACE_JSON:
		opts->trace.json_path = arg;
		return cli_path("--trace-json", arg, "--trace-json trace.json", err);
	case OPT_TIMELINE:
		opts->trace.timeline_path = arg;
		return cli_path("--timeline", arg, "--timeline timeline.svg", err);
	case OPT_TIMELINE_EXITS:
		ret = cli_count("--timeline-exits", arg, 1, 100000, &n, err);
		if (!ret)
			opts->trace.timeline_exits = (unsigned)n;
		return ret;
	case OPT_STATS:
		opts->trace.stats = true;
		return 0;
	case OPT_IN_KERNEL_EXITS:
		if (strcmp(arg, "every") != 0 && strcmp(arg, "sampled") != 0)
			return vmm_error_set(
			    err, -EINVAL, VMM_EXIT_USAGE,
			    "invalid --in-kernel-exits '%s': give sampled or every", arg);
		opts->trace.in_kernel_every = strcmp(arg, "every") == 0;
		return 0;
	case OPT_NO_SANDBOX:
		opts->no_sandbox = true;
		return 0;
	case OPT_NO_IRQCHIP:
		opts->no_irqchip = true;
		return 0;
	case OPT_REBOOT:
		opts->reboot = true;
		return 0;
	case OPT_BOOT: {
		enum boot_protocol p;
		if (boot_protocol_parse(arg, &p))
			return vmm_error_set(
			    err, -EINVAL, VMM_EXIT_USAGE,
			    "invalid --boot '%s': give auto, direct64 or multiboot", arg);
		opts->boot = arg;
		return 0;
	}
	case OPT_MODULE:
		if (opts->module_count == CLI_MAX_MODULES)
			return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
					     "too many --module options (at most 16): '%s'", arg);
		if (arg[0] == '\0' || arg[0] == ',')
			return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
					     "invalid --module '%s': give FILE[,STRING]", arg);
		opts->modules[opts->module_count++] = arg;
		return 0;
	case OPT_CPUS:
		ret = cli_count("--cpus", arg, 1, CLI_MAX_CPUS, &n, err);
		if (!ret)
			opts->cpus = (unsigned)n;
		return ret;
	case OPT_DIRECT_SMP:
		opts->direct_smp = true;
		return 0;
	case OPT_SIPI_SMP:
		opts->sipi_smp = true;
		return 0;
	case OPT_CPU_MODEL:
		if (!cpu_model_parse(arg, &opts->cpu_model))
			return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
					     "invalid --cpu-model '%s': give host or baseline",
					     arg);
		return 0;
	case OPT_GDB:
		opts->gdb = arg;
		return gdb_address_parse(arg, &opts->gdb_address, err);
	case OPT_GDB_WAIT:
		opts->gdb_wait = true;
		return 0;
	case OPT_API_SOCK:
		opts->api_sock = arg;
		return 0;
	case OPT_RESULT:
		opts->result_path = arg;
		return cli_path("--result", arg, "--result result.json", err);
	case OPT_SNAPSHOT_ON_EXIT:
		opts->snapshot_on_exit = arg;
		return cli_path("--snapshot-on-exit", arg, "--snapshot-on-exit vm.snap", err);
	default: /* an option in run_long_options without a case here */
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "option %d not handled", opt);
	}
}

/* What run and restore both check once their options are parsed. */
static int check_shared_options(const struct run_options *opts, const char *cmd,
				struct vmm_error *err)
{
	if (opts->gdb_wait && !opts->gdb)
		return cli_usage_error(err, cmd, "--gdb-wait waits for gdb: give --gdb too");
	if (opts->trace.filter && !opts->trace.text)
		return cli_usage_error(err, cmd,
				       "--trace-filter narrows --trace: give --trace too");
	if (opts->trace.in_kernel_every && !opts->trace.text && !opts->trace.json_path &&
	    !opts->trace.timeline_path)
		return cli_usage_error(err, cmd,
				       "--in-kernel-exits counts for --trace, --trace-json or "
				       "--timeline: give one of them too");
	return 0;
}

const struct cli_spec cli_restore_spec = {
    .short_options = "h",
    .long_options = restore_long_options,
    .operand = "FILE",
    .usage = cli_restore_usage,
};

int cli_parse_restore(int argc, char **argv, struct run_options *opts, struct vmm_error *err)
{
	*opts = (struct run_options){.cpus = 1};
	const char *cmd = argv[0];
	int ret =
	    cli_parse(&cli_restore_spec, argc, argv, parse_option, opts, &opts->snapshot_path, err);
	if (ret == CLI_HELP) {
		opts->help = true;
		return 0;
	}
	if (ret)
		return ret;
	if (!opts->snapshot_path)
		return cli_usage_error(err, cmd, "no snapshot FILE given: minivmm restore FILE");
	return check_shared_options(opts, cmd, err);
}

int cli_parse_run(int argc, char **argv, struct run_options *opts, struct vmm_error *err)
{
	*opts = (struct run_options){
	    .memory = CLI_DEFAULT_MEMORY, .load_addr = CLI_DEFAULT_LOAD_ADDR, .cpus = 1};
	const char *cmd = argv[0];
	int ret = cli_parse(&cli_run_spec, argc, argv, parse_option, opts, &opts->guest_path, err);
	if (ret == CLI_HELP) {
		opts->help = true;
		return 0;
	}
	if (ret)
		return ret;
	if (opts->guest_path && opts->builtin_name)
		return cli_usage_error(err, cmd,
				       "both a GUEST file and --guest %s given: choose one",
				       opts->builtin_name);
	if (opts->flat && (opts->module_count || opts->boot))
		return cli_usage_error(
		    err, cmd, "--flat images have no boot protocol: drop --boot and --module");
	if (opts->flat && !opts->guest_path)
		return cli_usage_error(err, cmd, "--flat needs a GUEST file");
	if (opts->sipi_smp && (opts->direct_smp || opts->no_irqchip))
		return cli_usage_error(err, cmd,
				       "--sipi-smp needs the in-kernel LAPIC and excludes "
				       "--direct-smp and --no-irqchip");
	return check_shared_options(opts, cmd, err);
}
