/* SPDX-License-Identifier: MIT */
/*
 * The control socket's backend on a running VM: its life (api_vm_init, api_vm_finish) and the
 * commands that act on the VM, through the pause facility, KVM's register ioctls, the trace
 * session's live text, the stop request and the snapshot. They run on the server's thread, never
 * on a vCPU's. status and stats, which only read the VM's figures, are in api_vm_figures.c.
 */
#include "api/api_vm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "api/api_vm_internal.h"
#include "machine/exit_report.h"
#include "machine/vm.h"
#include "snapshot/snapshot.h"
#include "util/monotonic_clock.h"

#define API_PAUSE_TIMEOUT_MS 2000

void api_vm_init(struct api_vm *a, struct vm *vm)
{
	memset(a, 0, sizeof *a);
	a->vm = vm;
	a->start_ns = monotonic_ns();
	/* Opened now: the sandbox allows no open later, but pread of an open /proc file. */
	a->proc_stat_fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	a->clock_ticks = sysconf(_SC_CLK_TCK);
	if (a->clock_ticks <= 0)
		a->clock_ticks = 100;
}

static int api_pause(void *ctx, json_t *reply, struct vmm_error *err)
{
	struct api_vm *a = ctx;
	int ret = vm_pause(a->vm, API_PAUSE_TIMEOUT_MS, err);
	if (ret)
		return ret;
	json_object_set_new(reply, "state", json_string("paused"));
	a->emit(a->server, json_pack("{s:s}", "event", "paused"));
	return 0;
}

static int api_resume(void *ctx, json_t *reply, struct vmm_error *err)
{
	struct api_vm *a = ctx;
	int ret = vm_resume(a->vm, err);
	if (ret)
		return ret;
	json_object_set_new(reply, "state", json_string("running"));
	a->emit(a->server, json_pack("{s:s}", "event", "resumed"));
	return 0;
}

static json_t *hex(uint64_t v)
{
	char text[24];
	snprintf(text, sizeof text, "0x%016" PRIx64, v);
	return json_string(text);
}

static int api_regs(void *ctx, unsigned index, json_t *reply, struct vmm_error *err)
{
	struct api_vm *a = ctx;
	struct vm *vm = a->vm;
	if (index >= vm->vcpu_count)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "regs: no vCPU %u: this VM has vCPUs 0 to %u", index,
				     vm->vcpu_count - 1);
	struct vcpu *v = &vm->vcpus[index];
	/* KVM_GET_REGS waits for the vCPU to leave KVM_RUN, which a halted guest never does: the
	 * registers are read while the VM is paused, pausing it for the read if need be. */
	bool paused_here = false;
	if (!atomic_load(&v->finished) && !vm_is_paused(vm)) {
		int ret = vm_pause(vm, API_PAUSE_TIMEOUT_MS, err);
		if (ret)
			return ret;
		paused_here = true;
	}
	struct kvm_regs g;
	struct kvm_sregs s;
	int ret = 0;
	if (ioctl(v->fd, KVM_GET_REGS, &g) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		ret = vmm_error_set(err, -errno, VMM_EXIT_INTERNAL,
				    "regs: KVM_GET_REGS/SREGS on vCPU %u failed: %s", index,
				    strerror(errno));
	if (paused_here)
		vm_resume(vm, NULL);
	if (ret)
		return ret;
	json_object_set_new(reply, "vcpu", json_integer(index));
	json_object_set_new(reply, "paused_for_read", json_boolean(paused_here));
	json_object_set_new(reply, "mode", json_string(exit_report_cpl_name(&s)));
	const struct {
		const char *name;
		uint64_t value;
	} regs[] = {
	    {"rip", g.rip}, {"rsp", g.rsp}, {"rflags", g.rflags}, {"rax", g.rax}, {"rbx", g.rbx},
	    {"rcx", g.rcx}, {"rdx", g.rdx}, {"rsi", g.rsi},	  {"rdi", g.rdi}, {"rbp", g.rbp},
	    {"r8", g.r8},   {"r9", g.r9},   {"r10", g.r10},	  {"r11", g.r11}, {"r12", g.r12},
	    {"r13", g.r13}, {"r14", g.r14}, {"r15", g.r15},	  {"cr0", s.cr0}, {"cr2", s.cr2},
	    {"cr3", s.cr3}, {"cr4", s.cr4}, {"efer", s.efer},
	};
	for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
		json_object_set_new(reply, regs[i].name, hex(regs[i].value));
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (mem) {
		exit_report_print_regs(mem, &g, &s);
		fclose(mem);
		json_object_set_new(reply, "text", json_string(text ? text : ""));
		free(text);
	}
	return 0;
}

static int api_trace_start(void *ctx, const char *path, json_t *reply, struct vmm_error *err)
{
	struct api_vm *a = ctx;
	if (a->trace)
		return vmm_error_set(err, -EBUSY, VMM_EXIT_USAGE,
				     "trace: already tracing into '%s': send {\"cmd\":\"trace\","
				     "\"stop\":true} first",
				     a->trace_path);
	/* A new file only ("x": O_EXCL; "e": O_CLOEXEC): the sandbox lets the control socket
	 * create files, never open existing ones (docs/security.md). */
	FILE *f = fopen(path, "wxe");
	if (!f)
		return vmm_error_set(err, -errno, VMM_EXIT_USAGE,
				     "trace: cannot create '%.300s': %s%s", path, strerror(errno),
				     errno == EEXIST ? ": give the path of a new file"
						     : ": give a writable path (relative to "
						       "minivmm's directory)");
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	snprintf(a->trace_path, sizeof a->trace_path, "%s", path);
	a->trace = f;
	trace_session_swap_live_text(a->vm->trace, f);
	json_object_set_new(reply, "file", json_string(path));
	json_object_set_new(reply, "tracing", json_true());
	return 0;
}

static int api_trace_stop(void *ctx, json_t *reply, struct vmm_error *err)
{
	struct api_vm *a = ctx;
	if (!a->trace)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "trace: no trace is running: start one with "
				     "{\"cmd\":\"trace\",\"file\":PATH}");
	trace_session_swap_live_text(a->vm->trace, NULL);
	int failed = fclose(a->trace) != 0;
	int e = errno;
	a->trace = NULL;
	json_object_set_new(reply, "file", json_string(a->trace_path));
	json_object_set_new(reply, "tracing", json_false());
	if (failed)
		return vmm_error_set(err, -e, VMM_EXIT_HOST_RESOURCES,
				     "trace: writing '%.300s' failed: %s: check the disk",
				     a->trace_path, strerror(e));
	return 0;
}

static int api_stop(void *ctx, int status, json_t *reply, struct vmm_error *err)
{
	struct api_vm *a = ctx;
	struct vm *vm = a->vm;
	if (!stop_request_raise(&vm->stop, STOP_API, status))
		return vmm_error_set(err, -EALREADY, VMM_EXIT_USAGE,
				     "the VM is already stopping (%s, status %d): nothing to do",
				     stop_reason_name(atomic_load(&vm->stop.reason)),
				     vm->stop.status);
	json_object_set_new(reply, "status", json_integer(status));
	json_object_set_new(reply, "state", json_string("stopping"));
	return 0;
}

static int api_snapshot(void *ctx, const char *path, json_t *reply, struct vmm_error *err)
{
	struct api_vm *a = ctx;
	int ret = snapshot_take(a->vm, path, err);
	if (!ret)
		json_object_set_new(reply, "file", json_string(path));
	return ret;
}

struct api_backend api_vm_backend(struct api_vm *a)
{
	return (struct api_backend){.ctx = a,
				    .status = api_vm_status,
				    .stats = api_vm_stats,
				    .pause = api_pause,
				    .resume = api_resume,
				    .regs = api_regs,
				    .trace_start = api_trace_start,
				    .trace_stop = api_trace_stop,
				    .stop = api_stop,
				    .snapshot = api_snapshot};
}

void api_vm_finish(struct api_vm *a)
{
	if (a->trace) {
		trace_session_swap_live_text(a->vm->trace, NULL);
		fclose(a->trace);
		a->trace = NULL;
	}
	if (a->proc_stat_fd >= 0)
		close(a->proc_stat_fd);
	a->proc_stat_fd = -1;
}
