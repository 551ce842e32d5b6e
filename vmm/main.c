/*
 * minivmm's entry point: picks the subcommand, and is the one place where errors become the
 * user's message and the process exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_server.h"
#include "bench/bench.h"
#include "cli/builtin_guests.h"
#include "compare/compare.h"
#include "cli/cli.h"
#include "machine/exit_report.h"
#include "cli/info.h"
#include "cli/top.h"
#include "machine/kvm.h"
#include "loader/loader.h"
#include "host/sandbox.h"
#include "machine/vm.h"

static int fail(const struct vmm_error *err)
{
	fprintf(stderr, "minivmm: %s\n", err->msg);
	return err->status;
}

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
	case STOP_GUEST_RESET:
		fprintf(stderr, "minivmm: the guest reset the machine (%s)%s\n", vm->reset_source,
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

static int run_command(int argc, char **argv)
{
	struct run_options opts;
	struct vmm_error err = {0};
	if (cli_parse_run(argc, argv, &opts, &err))
		return fail(&err);
	if (opts.help) {
		cli_print_usage();
		return 0;
	}
	if (opts.list_guests) {
		list_guests();
		return 0;
	}

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
	if (boot_modules_load(opts.modules, opts.module_count, modules, &err))
		return fail(&err);
	cfg.modules = modules;
	cfg.module_count = opts.module_count;
	void *file_image = NULL;
	if (opts.guest_path) {
		size_t size;
		if (load_file(opts.guest_path, &file_image, &size, &err))
			return fail(&err);
		cfg.image = file_image;
		cfg.image_size = size;
		cfg.image_name = opts.guest_path;
	} else {
		const struct builtin_guest *g = builtin_guest_find(opts.builtin_name);
		if (!g) {
			vmm_error_set(&err, -ENOENT, VMM_EXIT_USAGE,
				      "no built-in guest '%s': see minivmm run --list-guests",
				      opts.builtin_name);
			return fail(&err);
		}
		cfg.image = g->image;
		cfg.image_size = g->size;
		cfg.image_name = g->name;
	}

	struct api_server *api = NULL; /* --api-sock: opened while this process has one thread */
	if (opts.api_sock && api_server_open(&api, opts.api_sock, true, &err))
		return fail(&err);
	cfg.trace.live = api != NULL;
	sandbox_allow_control_socket(api ? api_server_listen_fd(api) : -1);

	static struct vm vm; /* large (devices, vCPUs): keep it off the stack */
	int status;
	int failed = vm_create(&vm, &cfg, &err);
	failed = failed ?: (api ? api_server_start(api, &vm, &err) : 0);
	failed = failed ?: vm_run(&vm, &err);
	api_server_finish(api); /* the last events, then the socket is removed */
	if (failed) {
		if (cfg.image_name && (err.status == VMM_EXIT_GUEST_IMAGE))
			fprintf(stderr, "minivmm: %s: %s\n", cfg.image_name, err.msg);
		else
			fprintf(stderr, "minivmm: %s\n", err.msg);
		status = err.status;
	} else {
		report_stop(&vm);
		if (vm.trace && opts.trace.stats)
			trace_session_print_stats(vm.trace, stderr);
		if (vm.trace_failed)
			fprintf(stderr, "minivmm: %s\n", vm.trace_error.msg);
		status = vm.stop.status;
	}
	vm_destroy(&vm);
	free(file_image);
	boot_modules_free(modules, opts.module_count);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cli_print_usage();
		return VMM_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		cli_print_usage();
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("minivmm %s\n", MINIVMM_VERSION);
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return run_command(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return compare_command(argc - 1, argv + 1);
	if (strcmp(cmd, "bench") == 0)
		return bench_command(argc - 1, argv + 1);
	if (strcmp(cmd, "info") == 0)
		return info_command(argc - 1, argv + 1);
	if (strcmp(cmd, "top") == 0)
		return top_command(argc - 1, argv + 1);
	fprintf(stderr,
		"minivmm: unknown command '%s': try minivmm run, minivmm info or "
		"minivmm --help\n",
		cmd);
	return VMM_EXIT_USAGE;
}
