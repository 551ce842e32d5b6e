/* SPDX-License-Identifier: MIT */
/*
 * `minivmm run` and `minivmm restore`: from their options to a running VM and back to an exit
 * status. Both build a VM (booted from an image, or restored from a snapshot) and share the rest
 * in run_vm(): the control socket, the teardown helper, snapshots, the debugger, the run and its
 * report. Errors go back to main() as a negative errno with a struct vmm_error, as every command's.
 */
#include "cli/run_command.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_server.h"
#include "cli/builtin_guests.h"
#include "cli/cli.h"
#include "cli/run_result.h"
#include "gdb/gdb_stub.h"
#include "host/sandbox.h"
#include "host/teardown_handoff.h"
#include "loader/loader.h"
#include "machine/exit_report.h"
#include "machine/vm.h"
#include "machine/write_batch.h"
#include "snapshot/snapshot.h"
#include "snapshot/snapshot_restore.h"
#include "x86/cpuid.h"

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

/* --stats: the writes that were no exit because KVM batched them (machine/write_batch.h). */
static void print_batched_writes(const struct vm *vm)
{
	uint64_t batched = vm_batched_writes(vm);
	if (batched)
		fprintf(stderr,
			"%llu guest write(s) were batched in KVM's coalesced ring, not exits "
			"(--no-write-batching makes each one an exit)\n",
			(unsigned long long)batched);
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
		if (vm.trace && opts->trace.stats) {
			trace_session_print_stats(vm.trace, stderr);
			print_batched_writes(&vm);
		}
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
 * teardown helper, forked while this process is small and has one thread
 * (host/teardown_handoff.h); last, KVM's CPUID list, asked on another CPU while this one reads
 * the guest's files or the snapshot (x86/cpuid.h). */
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
	if (!ret) {
		teardown_handoff_prepare(handoff);
		x86_cpuid_prefetch_early(opts->kvm_device);
	}
	return ret;
}

/* What run and restore configure alike: the KVM device, I/O checks, the timeout, the console,
 * tracing and the sandbox. run adds the machine and the image; restore takes them from the
 * snapshot. */
static struct vm_config vm_config_from_options(const struct run_options *opts)
{
	return (struct vm_config){
	    .kvm_device = opts->kvm_device,
	    .strict_io = opts->strict_io,
	    .no_write_batching = opts->no_write_batching,
	    .timeout_seconds = opts->timeout_seconds,
	    .console_in_fd = STDIN_FILENO,
	    .console_out_fd = STDOUT_FILENO,
	    .trace = opts->trace,
	    .confine = opts->no_sandbox ? NULL : sandbox_confine_vm, /* docs/security.md */
	};
}

int run_command(int argc, char **argv, struct vmm_error *err)
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

	struct vm_config cfg = vm_config_from_options(&opts);
	cfg.ram_size = opts.memory;
	cfg.cmdline = opts.cmdline;
	cfg.format = opts.flat ? GUEST_FORMAT_FLAT : GUEST_FORMAT_ELF;
	cfg.load_addr = opts.load_addr;
	cfg.no_irqchip = opts.no_irqchip;
	cfg.reboot = opts.reboot;
	cfg.cpus = opts.cpus;
	cfg.sipi_smp = opts.sipi_smp;
	cfg.direct_smp = opts.direct_smp;
	cfg.cpu_model = opts.cpu_model;
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

int restore_command(int argc, char **argv, struct vmm_error *err)
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
	struct vm_config cfg = vm_config_from_options(&opts);
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
