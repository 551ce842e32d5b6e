/* SPDX-License-Identifier: MIT */
/*
 * minivmm's entry point: picks the subcommand, and is the one place where errors become the
 * user's message and the process exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_server.h"
#include "bench/bench.h"
#include "cli/builtin_guests.h"
#include "compare/compare.h"
#include "cli/cli.h"
#include "cli/run_result.h"
#include "gdb/gdb_stub.h"
#include "machine/exit_report.h"
#include "cli/info.h"
#include "cli/top.h"
#include "machine/kvm.h"
#include "loader/loader.h"
#include "host/sandbox.h"
#include "host/teardown_handoff.h"
#include "machine/vm.h"
#include "snapshot/snapshot.h"
#include "snapshot/snapshot_restore.h"

static void list_guests(void)
{
	const struct builtin_guest *g;
	printf("built-in guests (minivmm run --guest NAME):\n");
	for (size_t i = 0; (g = builtin_guest_at(i)); i++)
		printf("  %-16s %zu bytes%s\n", g->name, g->size, i == 0 ? "  (default)" : "");
}

/* Prints how the run ended when it is not the guest's own exit. */
static void report_stop(struct vm *vm)
{
	enum stop_reason reason = atomic_load(&vm->stop.reason);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		exit_report_print(stderr, &vm->vcpus[i]);
	switch (reason) {
	case STOP_GUEST_EXIT: /* the guest's choice: a word only when the status needs one */
		run_result_note_guest_exit(stderr, &vm->stop);
		break;
	case STOP_TIMEOUT:
		fprintf(stderr, "minivmm: guest still running after --timeout %g s: stopped\n",
			vm->cfg.timeout_seconds);
		break;
	case STOP_USER_QUIT:
		fprintf(stderr, "\nminivmm: quit (Ctrl-A x)\n");
		break;
	case STOP_SIGNAL:
		fprintf(stderr, "minivmm: stopped by signal %d\n",
			vm->stop.status - VMM_EXIT_SIGNAL_BASE);
		break;
	case STOP_POWER_OFF:
		fprintf(stderr, "minivmm: guest powered off\n");
		break;
	case STOP_GUEST_RESET:
		fprintf(stderr, "minivmm: the guest reset the machine (%s)%s\n", vm->reboot.source,
			vm->cfg.reboot ? ": too many reboots" : "; --reboot boots it again");
		break;
	default:
		break;
	}
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu *v = &vm->vcpus[i];
		if (v->unclaimed_io && !vm->cfg.strict_io)
			fprintf(stderr,
				"minivmm: note: %llu access(es) to unclaimed I/O, first: %s "
				"(reads gave all ones; --strict-io stops there)\n",
				(unsigned long long)v->unclaimed_io, v->first_unclaimed);
	}
	if (vm->console.output_dropped)
		fprintf(stderr,
			"minivmm: note: %llu byte(s) of guest output lost: stdout was closed, "
			"failed or stopped reading\n",
			(unsigned long long)vm->console.output_dropped);
}

/* The --result file, when one was asked for: written last, whoever ended the run. */
static void write_result(int result_fd, const struct run_outcome *outcome)
{
	if (result_fd < 0)
		return;
	sandbox_report_violations_to(-1);
	int ret = run_result_write(result_fd, outcome);
	if (ret)
		fprintf(stderr, "minivmm: cannot write the --result file: %s\n", strerror(-ret));
}

/* A run refused before or while starting: the --result file says why (main() prints the same
 * message), and ret goes on to main(). */
static int refuse_run(int result_fd, int ret, const struct vmm_error *err)
{
	struct run_outcome outcome;
	run_outcome_from_error(&outcome, NULL, err);
	write_result(result_fd, &outcome);
	return ret;
}

/* Ctrl-A s (host/console.h): a snapshot to a new file in the current directory. */
static void console_snapshot(void *ctx)
{
	struct vm *vm = ctx;
	static unsigned taken;
	char path[64];
	snprintf(path, sizeof path, "minivmm-%d-%u.snap", (int)getpid(), ++taken);
	struct vmm_error err = {0};
	if (snapshot_take(vm, path, &err))
		fprintf(stderr, "\r\nminivmm: no snapshot: %s\r\n", err.msg);
	else
		fprintf(stderr, "\r\nminivmm: snapshot saved to %s (minivmm restore %s)\r\n", path,
			path);
}

/* --snapshot-on-exit: the file is opened now, before the sandbox forbids open(2); an existing
 * one is replaced only once the run has been saved (written under another name? no: the
 * sandbox forbids rename too), so it is truncated here. */
static int open_snapshot_on_exit(const char *path, int *fd, struct vmm_error *err)
{
	*fd = -1;
	if (!path)
		return 0;
	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (*fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_USAGE,
				     "cannot create --snapshot-on-exit %s: %s", path,
				     strerror(errno));
	return 0;
}

/* The part of run and restore after the VM's configuration: the control socket, the VM
 * (restored from f when f is not NULL), the debugger, the run, its report. */
static int run_vm(struct vm_config *cfg, const struct run_options *opts, int result_fd,
		  struct teardown_handoff *handoff, const struct snapshot_file *f,
		  struct vmm_error *err)
{
	struct api_server *api = NULL; /* --api-sock: opened while this process has one thread */
	int ret = opts->api_sock ? api_server_open(&api, opts->api_sock, true, err) : 0;
	if (ret)
		return ret;
	int on_exit_fd;
	ret = open_snapshot_on_exit(opts->snapshot_on_exit, &on_exit_fd, err);
	if (ret) {
		api_server_finish(api);
		return refuse_run(result_fd, ret, err);
	}
	cfg->trace.live = api != NULL;
	sandbox_allow_control_socket(api ? api_server_listen_fd(api) : -1);

	static struct vm vm; /* large (devices, vCPUs): keep it off the stack */
	int status;
	ret = vm_create(&vm, cfg, err);
	if (!ret && f)
		ret = snapshot_restore_vm(&vm, f, err);
	if (!ret) /* best effort: on failure the teardown simply stays on the exit path */
		(void)teardown_handoff_give(handoff, vm.fd);
	/* Snapshots are possible from the socket, the console key or at exit: ask KVM now
	 * what a save needs, while /dev/kvm is open. Nothing of it otherwise. Only
	 * --snapshot-on-exit asked for one: elsewhere a KVM that cannot say costs a note. */
	bool console_key = isatty(STDIN_FILENO);
	if (!ret && !vm.snapshot && on_exit_fd >= 0)
		ret = snapshot_prepare(&vm, err);
	struct vmm_error probe_err = {0};
	if (!ret && !vm.snapshot && (api || console_key) && snapshot_prepare(&vm, &probe_err))
		fprintf(stderr, "minivmm: note: no snapshots in this run: %s\n", probe_err.msg);
	if (!ret && console_key && vm.snapshot)
		console_set_snapshot_key(&vm.console, console_snapshot, &vm);
	if (!ret && opts->gdb)
		ret = gdb_stub_start(&vm, &opts->gdb_address, opts->gdb_wait, err);
	if (!ret && api)
		ret = api_server_start(api, &vm, err);
	if (!ret)
		ret = vm_run(&vm, err);
	api_server_finish(api); /* the last events, then the socket is removed */
	gdb_stub_finish(&vm);
	if (ret) {
		if (err->status == VMM_EXIT_GUEST_IMAGE && cfg->image_name) /* which file */
			vmm_error_prefix(err, ret, "%s", cfg->image_name);
		status = refuse_run(result_fd, ret, err);
	} else {
		report_stop(&vm);
		if (vm.trace && opts->trace.stats)
			trace_session_print_stats(vm.trace, stderr);
		if (vm.trace_failed)
			fprintf(stderr, "minivmm: %s\n", vm.trace_error.msg);
		struct run_outcome outcome;
		run_outcome_from_vm(&outcome, &vm);
		write_result(result_fd, &outcome);
		status = vm.stop.status;
		struct vmm_error save_err = {0};
		if (on_exit_fd >= 0 && snapshot_save(&vm, on_exit_fd, &save_err))
			fprintf(stderr, "minivmm: --snapshot-on-exit: %s\n", save_err.msg);
		else if (on_exit_fd >= 0)
			fprintf(stderr, "minivmm: snapshot saved to %s\n", opts->snapshot_on_exit);
	}
	if (on_exit_fd >= 0)
		close(on_exit_fd);
	snapshot_finish(&vm);
	vm_destroy(&vm);
	return status;
}

/* run's and restore's first steps, before minivmm opens anything: what is open now came from
 * the parent, and the sandbox closes it (docs/security.md); then the --result file, opened now
 * because the sandbox forbids open(2) and its SIGSYS handler writes there too; then the
 * teardown helper, forked while this process is small (host/teardown_handoff.h). */
static int open_before_anything(const struct run_options *opts, int *result_fd,
				struct teardown_handoff *handoff, struct vmm_error *err)
{
	*result_fd = -1;
	handoff->socket_fd = -1;
	if (!opts->no_sandbox && sandbox_note_inherited_fds())
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "out of memory listing inherited file descriptors");
	int ret = opts->result_path ? run_result_open(opts->result_path, result_fd, err) : 0;
	if (!ret)
		sandbox_report_violations_to(*result_fd);
	if (!ret)
		teardown_handoff_prepare(handoff);
	return ret;
}

static int run_command(int argc, char **argv, struct vmm_error *err)
{
	struct run_options opts;
	int ret = cli_parse_run(argc, argv, &opts, err);
	if (ret)
		return ret;
	if (opts.help) {
		cli_run_usage(stdout);
		return 0;
	}
	if (opts.list_guests) {
		list_guests();
		return 0;
	}
	int result_fd;
	struct teardown_handoff handoff;
	if ((ret = open_before_anything(&opts, &result_fd, &handoff, err)))
		return ret;

	struct vm_config cfg = {
	    .kvm_device = opts.kvm_device,
	    .ram_size = opts.memory,
	    .cmdline = opts.cmdline,
	    .strict_io = opts.strict_io,
	    .timeout_seconds = opts.timeout_seconds,
	    .format = opts.flat ? GUEST_FORMAT_FLAT : GUEST_FORMAT_ELF,
	    .load_addr = opts.load_addr,
	    .console_in_fd = STDIN_FILENO,
	    .console_out_fd = STDOUT_FILENO,
	    .trace = opts.trace,
	    .no_irqchip = opts.no_irqchip,
	    .reboot = opts.reboot,
	    .cpus = opts.cpus,
	    .sipi_smp = opts.sipi_smp,
	    .direct_smp = opts.direct_smp,
	    .cpu_model = opts.cpu_model,
	    .confine = opts.no_sandbox ? NULL : sandbox_confine_vm, /* docs/security.md */
	};
	long host_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (host_cpus > 0 && opts.cpus > (unsigned long)host_cpus)
		fprintf(stderr, "minivmm: warning: --cpus %u is more than the host's %ld cores\n",
			opts.cpus, host_cpus);
	if (opts.boot)
		boot_protocol_parse(opts.boot, &cfg.boot); /* checked by cli_parse_run */
	static struct multiboot_module_spec modules[CLI_MAX_MODULES];
	ret = boot_modules_load(opts.modules, opts.module_count, modules, err);
	if (ret)
		return refuse_run(result_fd, ret, err);
	cfg.modules = modules;
	cfg.module_count = opts.module_count;
	void *file_image = NULL;
	if (opts.guest_path) {
		size_t size;
		ret = load_file(opts.guest_path, &file_image, &size, err);
		cfg.image = file_image;
		cfg.image_size = size;
		cfg.image_name = opts.guest_path;
	} else {
		const struct builtin_guest *g = builtin_guest_find(opts.builtin_name);
		if (g) {
			cfg.image = g->image;
			cfg.image_size = g->size;
			cfg.image_name = g->name;
		} else {
			ret = vmm_error_set(err, -ENOENT, VMM_EXIT_USAGE,
					    "no built-in guest '%s': see minivmm run --list-guests",
					    opts.builtin_name);
		}
	}
	if (ret) {
		boot_modules_free(modules, opts.module_count);
		return refuse_run(result_fd, ret, err);
	}

	int status = run_vm(&cfg, &opts, result_fd, &handoff, NULL, err);
	free(file_image);
	boot_modules_free(modules, opts.module_count);
	return status;
}

static int restore_command(int argc, char **argv, struct vmm_error *err)
{
	struct run_options opts;
	int ret = cli_parse_restore(argc, argv, &opts, err);
	if (ret)
		return ret;
	if (opts.help) {
		cli_restore_usage(stdout);
		return 0;
	}
	int result_fd;
	struct teardown_handoff handoff;
	if ((ret = open_before_anything(&opts, &result_fd, &handoff, err)))
		return ret;
	struct snapshot_file f;
	ret = snapshot_file_open(&f, opts.snapshot_path, err);
	if (ret)
		return refuse_run(result_fd, ret, err);
	struct vm_config cfg = {
	    .kvm_device = opts.kvm_device,
	    .strict_io = opts.strict_io,
	    .timeout_seconds = opts.timeout_seconds,
	    .console_in_fd = STDIN_FILENO,
	    .console_out_fd = STDOUT_FILENO,
	    .trace = opts.trace,
	    .confine = opts.no_sandbox ? NULL : sandbox_confine_vm,
	};
	snapshot_file_vm_config(&f, &cfg);
	/* RAM is mapped from FILE: truncating it at the end would pull the pages from under the
	 * guest (SIGBUS). */
	struct stat target, source;
	if (opts.snapshot_on_exit && stat(opts.snapshot_on_exit, &target) == 0 &&
	    fstat(f.fd, &source) == 0 && target.st_dev == source.st_dev &&
	    target.st_ino == source.st_ino) {
		snapshot_file_close(&f);
		ret = cli_usage_error(err, argv[0],
				      "--snapshot-on-exit %s is the snapshot being restored, "
				      "whose RAM the VM maps: give another file",
				      opts.snapshot_on_exit);
		return refuse_run(result_fd, ret, err);
	}
	int status = run_vm(&cfg, &opts, result_fd, &handoff, &f, err);
	snapshot_file_close(&f);
	return status;
}

static int help_command(int argc, char **argv, struct vmm_error *err);
static int version_command(int argc, char **argv, struct vmm_error *err);
static void help_usage(FILE *out);
static void version_usage(FILE *out);

/*
 * The commands, as kvmtool's builtin table has them: main() dispatches through it, and
 * `minivmm --help` and the unknown-command message list it. Each command parses its own options
 * with cli_parse() (cli/options.h) and returns an exit status >= 0, or a negative errno with a
 * struct vmm_error that fail() turns into the message.
 */
struct command {
	const char *name;
	int (*run)(int argc, char **argv, struct vmm_error *err); /* argv[0] is the name */
	const char *help;					  /* one line for --help */
	void (*usage)(FILE *out);				  /* its --help */
};

static const struct command commands[] = {
    {"run", run_command, "boot a guest (default: the built-in toy guest)", cli_run_usage},
    {"restore", restore_command, "resume a VM saved in a snapshot file", cli_restore_usage},
    {"info", info_command, "what KVM offers on this host; --cpuid: the guest's CPUID", info_usage},
    {"compare", compare_command, "the same operations on the host and in the guest", compare_usage},
    {"bench", bench_command, "exit round trips vs a bare KVM loop; tracing overhead", bench_usage},
    {"top", top_command, "live exits of a VM run with --api-sock SOCKET", top_usage},
    {"help", help_command, "a command's options: minivmm help COMMAND", help_usage},
    {"version", version_command, "minivmm's version", version_usage},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* "run, info, ... or version", for the messages that ask for a command. */
static const char *command_names(void)
{
	static char names[128];
	size_t used = 0;
	for (size_t i = 0; i < COMMAND_COUNT && used < sizeof names; i++)
		used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
					 i == 0			  ? ""
					 : i + 1 == COMMAND_COUNT ? " or "
								  : ", ",
					 commands[i].name);
	return names;
}

static void main_usage(FILE *out)
{
	fprintf(out, "usage: minivmm COMMAND [options] [arguments]\n\ncommands:\n");
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	/* run is the command most people come for: its options follow, as before the table. */
	fprintf(out, "\nminivmm help COMMAND or minivmm COMMAND --help: that command's options.\n"
		     "minivmm --help also shows run's:\n\n");
	cli_run_usage(out);
}

static void help_usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm help [COMMAND]\n"
		"\n"
		"Without COMMAND: the commands and run's options (as minivmm --help).\n"
		"With COMMAND, one of %s:\n"
		"that command's options, as minivmm COMMAND --help shows them.\n"
		"\n"
		"help options:\n"
		"  -h, --help           this text\n",
		command_names());
}

static void version_usage(FILE *out)
{
	fprintf(out, "usage: minivmm version (or minivmm --version)\n"
		     "\n"
		     "Prints minivmm's version.\n"
		     "\n"
		     "version options:\n"
		     "  -h, --help           this text\n");
}

static const struct option help_only_options[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* help and version have no option but --help: any other reaches this as a bug. */
static int no_option(int opt, const char *arg, void *ctx, struct vmm_error *err)
{
	(void)arg;
	(void)ctx;
	return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "option %d not handled", opt);
}

static int help_command(int argc, char **argv, struct vmm_error *err)
{
	static const struct cli_spec spec = {
	    .short_options = "h",
	    .long_options = help_only_options,
	    .operand = "COMMAND",
	    .usage = help_usage,
	};
	const char *name;
	int ret = cli_parse(&spec, argc, argv, no_option, NULL, &name, err);
	if (ret == CLI_HELP) {
		help_usage(stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!name) {
		main_usage(stdout);
		return 0;
	}
	const struct command *cmd = find_command(name);
	if (!cmd)
		return cli_usage_error(err, argv[0], "unknown command '%s': give one of %s", name,
				       command_names());
	cmd->usage(stdout);
	return 0;
}

static int version_command(int argc, char **argv, struct vmm_error *err)
{
	static const struct cli_spec spec = {
	    .short_options = "h",
	    .long_options = help_only_options,
	    .usage = version_usage,
	};
	int ret = cli_parse(&spec, argc, argv, no_option, NULL, NULL, err);
	if (ret == CLI_HELP) {
		version_usage(stdout);
		return 0;
	}
	if (ret)
		return ret;
	printf("minivmm %s\n", MINIVMM_VERSION);
	return 0;
}

/* The one place an error becomes the user's message and the exit status. */
static int fail(const char *command, const struct vmm_error *err)
{
	int status = err->status ? (int)err->status : VMM_EXIT_INTERNAL; /* none set: a bug */
	const char *msg = err->msg[0] ? err->msg : "internal error: no message";
	/* A usage error is about what was typed after the command: it names the command, whose
	 * --help explains it. */
	if (status == VMM_EXIT_USAGE && command)
		fprintf(stderr, "minivmm %s: %s\n", command, msg);
	else
		fprintf(stderr, "minivmm: %s\n", msg);
	return status;
}

int main(int argc, char **argv)
{
	struct vmm_error err = {0};
	if (argc < 2) {
		vmm_error_set(&err, -EINVAL, VMM_EXIT_USAGE,
			      "no command given: give one of %s (see minivmm --help)",
			      command_names());
		return fail(NULL, &err);
	}
	/* The options every program answers, given in place of a command. */
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		argv[1] = "help";
	else if (strcmp(argv[1], "--version") == 0)
		argv[1] = "version";
	const struct command *cmd = find_command(argv[1]);
	if (!cmd) {
		vmm_error_set(&err, -EINVAL, VMM_EXIT_USAGE,
			      "unknown command '%s': give one of %s (see minivmm --help)", argv[1],
			      command_names());
		return fail(NULL, &err);
	}
	int ret = cmd->run(argc - 1, argv + 1, &err);
	return ret >= 0 ? ret : fail(cmd->name, &err);
}
