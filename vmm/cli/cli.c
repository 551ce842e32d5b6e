/* SPDX-License-Identifier: MIT */
/* minivmm run: its options, their checks and its --help. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
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

static const struct option run_long_options[] = {
    {"memory", required_argument, NULL, 'm'},
    {"cmdline", required_argument, NULL, OPT_CMDLINE},
    {"guest", required_argument, NULL, OPT_GUEST},
    {"list-guests", no_argument, NULL, OPT_LIST_GUESTS},
    {"flat", no_argument, NULL, OPT_FLAT},
    {"load-addr", required_argument, NULL, OPT_LOAD_ADDR},
    {"strict-io", no_argument, NULL, OPT_STRICT_IO},
    {"no-write-batching", no_argument, NULL, OPT_NO_WRITE_BATCHING},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"kvm", required_argument, NULL, OPT_KVM},
    {"trace", optional_argument, NULL, OPT_TRACE},
    {"trace-filter", required_argument, NULL, OPT_TRACE_FILTER},
    {"trace-json", required_argument, NULL, OPT_TRACE_JSON},
    {"timeline", required_argument, NULL, OPT_TIMELINE},
    {"timeline-exits", required_argument, NULL, OPT_TIMELINE_EXITS},
    {"stats", no_argument, NULL, OPT_STATS},
    {"in-kernel-exits", required_argument, NULL, OPT_IN_KERNEL_EXITS},
    {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
    {"no-irqchip", no_argument, NULL, OPT_NO_IRQCHIP},
    {"reboot", no_argument, NULL, OPT_REBOOT},
    {"boot", required_argument, NULL, OPT_BOOT},
    {"module", required_argument, NULL, OPT_MODULE},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"direct-smp", no_argument, NULL, OPT_DIRECT_SMP},
    {"sipi-smp", no_argument, NULL, OPT_SIPI_SMP},
    {"cpu-model", required_argument, NULL, OPT_CPU_MODEL},
    {"gdb", required_argument, NULL, OPT_GDB},
    {"gdb-wait", no_argument, NULL, OPT_GDB_WAIT},
    {"api-sock", required_argument, NULL, OPT_API_SOCK},
    {"result", required_argument, NULL, OPT_RESULT},
    {"snapshot-on-exit", required_argument, NULL, OPT_SNAPSHOT_ON_EXIT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* restore: the run options that apply to a VM that already exists. */
static const struct option restore_long_options[] = {
    {"strict-io", no_argument, NULL, OPT_STRICT_IO},
    {"no-write-batching", no_argument, NULL, OPT_NO_WRITE_BATCHING},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"kvm", required_argument, NULL, OPT_KVM},
    {"trace", optional_argument, NULL, OPT_TRACE},
    {"trace-filter", required_argument, NULL, OPT_TRACE_FILTER},
    {"trace-json", required_argument, NULL, OPT_TRACE_JSON},
    {"timeline", required_argument, NULL, OPT_TIMELINE},
    {"timeline-exits", required_argument, NULL, OPT_TIMELINE_EXITS},
    {"stats", no_argument, NULL, OPT_STATS},
    {"in-kernel-exits", required_argument, NULL, OPT_IN_KERNEL_EXITS},
    {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
    {"gdb", required_argument, NULL, OPT_GDB},
    {"gdb-wait", no_argument, NULL, OPT_GDB_WAIT},
    {"api-sock", required_argument, NULL, OPT_API_SOCK},
    {"result", required_argument, NULL, OPT_RESULT},
    {"snapshot-on-exit", required_argument, NULL, OPT_SNAPSHOT_ON_EXIT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void cli_restore_usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm restore [options] FILE\n"
		"\n"
		"Resumes the VM saved in the snapshot FILE (docs/snapshot.md) where it was: its\n"
		"RAM is mapped from FILE copy-on-write (FILE is never written), its vCPUs,\n"
		"interrupt controllers and devices get their saved state, and it runs on with\n"
		"the console on stdin/stdout. RAM size, vCPUs and irqchip are the snapshot's.\n"
		"A bad snapshot (truncated, damaged, another version or CPU vendor, sizes that\n"
		"do not fit) is refused with one line and status 65 before anything runs.\n"
		"\n"
		"restore options (as for minivmm run):\n"
		"      --timeout SECS   stop the guest after SECS seconds\n"
		"      --strict-io      stop at an I/O access no device claims\n"
		"      --no-write-batching  every serial byte is its own exit (see run --help)\n"
		"      --kvm PATH       the KVM device (default " KVM_DEFAULT_DEVICE ")\n"
		"      --result FILE    how the run ended, as JSON\n"
		"      --no-sandbox     run without the seccomp sandbox\n"
		"      --gdb ADDR       serve gdb's remote protocol on ADDR (as minivmm run)\n"
		"      --gdb-wait       hold the guest at the snapshot's instruction until gdb\n"
		"                       attaches (needs --gdb)\n"
		"      --api-sock PATH  the control socket (docs/api.md), with \"snapshot\"\n"
		"      --snapshot-on-exit PATH  when the run ends, save it to PATH again\n"
		"      --trace[=FILE]   one line per exit after the restore (default stderr)\n"
		"      --trace-filter SPEC  show only some (as minivmm run)\n"
		"      --stats          summary of the exits after the restore, on stderr\n"
		"      --trace-json FILE  Chrome trace\n"
		"      --timeline FILE  SVG picture of the first exits\n"
		"      --timeline-exits N  how many exits the picture shows\n"
		"      --in-kernel-exits MODE  sampled or every (as minivmm run)\n"
		"  -h, --help           this text\n"
		"\n"
		"Console: on a terminal, Ctrl-A x quits, Ctrl-A s saves a snapshot.\n"
		"Exit status: as minivmm run (minivmm run --help); 65 bad snapshot, 66 FILE\n"
		"missing or unreadable.\n");
}

void cli_run_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: minivmm run [options] [GUEST]\n"
	    "\n"
	    "Boots GUEST: an ELF64 x86-64 executable (entered in 64-bit long mode at its entry\n"
	    "point), a Multiboot v1 kernel (see --boot) or, with --flat, a raw binary.\n"
	    "Without GUEST, a built-in guest runs. Options go before GUEST.\n"
	    "\n"
	    "run options:\n"
	    "  -m, --memory SIZE    guest RAM: digits with a K, M or G suffix, binary units\n"
	    "                       (64M is 64 MiB; default 64M; 2M to 3G)\n"
	    "      --cmdline TEXT   command line handed to the guest in its boot info (multiboot:\n"
	    "                       after the kernel's file name, as GRUB and QEMU pass it)\n"
	    "      --guest NAME     run the built-in guest NAME (see --list-guests)\n"
	    "      --list-guests    list the built-in guests and exit\n"
	    "      --flat           GUEST is a flat binary loaded at --load-addr\n"
	    "      --load-addr ADDR where --flat loads and enters, in decimal or 0x-hex\n"
	    "                       (default 0x100000)\n"
	    "      --strict-io      stop the guest at an I/O port or MMIO access no device\n"
	    "                       claims (default: reads give all ones, writes are dropped)\n"
	    "      --no-write-batching  every byte the guest sends to COM1 is its own exit, as\n"
	    "                       --trace then shows (default: KVM batches them in its\n"
	    "                       coalesced ring, handed on at the guest's next exit or\n"
	    "                       within 10-50 ms; docs/ARCHITECTURE.md)\n"
	    "      --timeout SECS   stop the guest after SECS seconds: digits with an optional\n"
	    "                       fraction, e.g. 5 or 0.5 (at most a year)\n"
	    "      --kvm PATH       the KVM device (default " KVM_DEFAULT_DEVICE ")\n"
	    "      --result FILE    how the run ended, as JSON: who ended it (guest, minivmm,\n"
	    "                       user or signal), why, the status, the guest's value\n"
	    "      --no-sandbox     run without the seccomp sandbox (for debugging minivmm;\n"
	    "                       see docs/security.md)\n"
	    "      --no-irqchip     no in-kernel PIC/IOAPIC/LAPIC/PIT: a polled machine, no\n"
	    "                       interrupts, HLT ends the run (status 81)\n"
	    "      --reboot         a guest reset (i8042 0xFE, port 0xCF9) boots the guest\n"
	    "                       again instead of ending the run (at most 100 times)\n"
	    "      --boot PROTOCOL  direct64 (ELF64 entered in long mode), multiboot\n"
	    "                       (Multiboot v1: 32-bit entry, EAX 0x2BADB002, EBX info)\n"
	    "                       or auto\n"
	    "                       (default: multiboot for a multiboot kernel that is not\n"
	    "                       an ELF64 with its own 64-bit entry)\n"
	    "      --module FILE[,STRING]  a multiboot boot module with its string (default\n"
	    "                       FILE); repeat for more (at most 16)\n"
	    "      --cpus N         N vCPUs, 1 to 8 (default 1; more than the host's cores\n"
	    "                       is allowed, with a warning); a multiboot kernel's\n"
	    "                       processors wait for its INIT-SIPI-SIPI (needs the irqchip)\n"
	    "      --direct-smp     the VMM starts each application processor in long mode\n"
	    "                       at the guest's entry (RSI = AP magic, RDX = cpu number).\n"
	    "                       The default: no real-mode code, which nested KVM emulates\n"
	    "                       instruction by instruction, and it works with\n"
	    "                       --no-irqchip\n"
	    "      --sipi-smp       the guest starts its application processors itself:\n"
	    "                       INIT-SIPI-SIPI through the in-kernel LAPIC and a\n"
	    "                       real-mode trampoline (needs the irqchip)\n"
	    "      --cpu-model MODEL  the CPU the guest sees (docs/cpu-model.md): host\n"
	    "                       (default: KVM's supported set, with a brand and\n"
	    "                       --cpus topology) or baseline (x86-64-v2 features and\n"
	    "                       a fixed signature and brand, the same on any host);\n"
	    "                       minivmm info --cpuid shows it\n"
	    "      --gdb ADDR       serve gdb's remote protocol on ADDR: PORT (on\n"
	    "                       127.0.0.1), HOST:PORT or unix:PATH (mode 0600); one\n"
	    "                       client at a time (docs/debugging.md)\n"
	    "      --gdb-wait       hold the guest before its first instruction until gdb\n"
	    "                       attaches (needs --gdb)\n"
	    "      --api-sock PATH  a control socket (mode 0600): status, stats, pause,\n"
	    "                       resume, regs, trace, stop as JSON lines (docs/api.md);\n"
	    "                       minivmm top PATH watches the VM through it\n"
	    "      --snapshot-on-exit PATH  when the run ends (guest exit, --timeout, Ctrl-A\n"
	    "                       x, a signal), save the VM to PATH (docs/snapshot.md);\n"
	    "                       minivmm restore PATH resumes it\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "seeing the exits (each return from KVM_RUN is one record):\n"
	    "      --trace[=FILE]   one line per exit to FILE (default stderr)\n"
	    "      --trace-filter SPEC  show only some: io,mmio,hlt,shutdown,intr,other,\n"
	    "                       port=N,addr=N,device=NAME (comma-separated)\n"
	    "      --stats          summary at the end, as perf kvm stat report, on stderr\n"
	    "      --trace-json FILE  Chrome trace (open in Perfetto or chrome://tracing)\n"
	    "      --timeline FILE  SVG picture of the first exits: guest vs host lanes\n"
	    "      --timeline-exits N  how many exits the picture shows (1 to 100000,\n"
	    "                       default 50)\n"
	    "      --in-kernel-exits MODE  how the outputs above count the exits KVM\n"
	    "                       handles itself: 'sampled' (default) reads KVM's counter\n"
	    "                       at most every 50 us and puts the exits since the last\n"
	    "                       read on that record; 'every' reads after each exit:\n"
	    "                       exact per record, one more system call per exit\n"
	    "\n"
	    "Console: the guest's COM1 (port 0x3f8) is stdin/stdout. On a terminal, Ctrl-A x\n"
	    "quits, Ctrl-A s saves a snapshot (to the path printed on stderr) and\n"
	    "Ctrl-A Ctrl-A sends Ctrl-A.\n"
	    "\n"
	    "Exit status: the guest's own status when it writes minivmm's exit port 0x501\n"
	    "(v gives v for 0-63, 63 above) or QEMU's isa-debug-exit port 0xf4 (v gives\n"
	    "(v << 1) | 1, which may equal one of minivmm's: stderr and --result tell).\n"
	    "minivmm's own statuses, always with its reason on stderr:\n"
	    "   64 bad command line or option     80 guest triple fault (KVM_EXIT_SHUTDOWN)\n"
	    "   65 guest image or snapshot bad    81 guest halted with nothing to wake it\n"
	    "   66 guest file missing/unreadable  82 KVM could not emulate (INTERNAL_ERROR)\n"
	    "   69 KVM unavailable or too old     83 VM entry failed (FAIL_ENTRY)\n"
	    "   70 internal error in minivmm      84 unexpected VM exit\n"
	    "   71 host out of memory/resources   85 unclaimed I/O with --strict-io\n"
	    "   77 no permission for /dev/kvm     86 quit with Ctrl-A x\n"
	    "                                     87 guest reset (without --reboot)\n"
	    "                                     88 sandbox stopped a forbidden system call\n"
	    "  124 --timeout expired             128+N stopped by signal N (SIGINT, SIGTERM)\n");
}

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
