/* SPDX-License-Identifier: MIT */
/*
 * The control socket's commands on a running VM. They run on the server's thread, never on a
 * vCPU's: they read counters the vCPUs publish, take a snapshot of the trace session's summary
 * (under its lock, off the exit path), and act through the pause facility and the stop request.
 */
#include "api/api_vm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "machine/exit_report.h"
#include "machine/vm.h"
#include "machine/write_batch.h"
#include "snapshot/snapshot.h"
#include "trace/exit_stats.h"

#define API_PAUSE_TIMEOUT_MS 2000

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void api_vm_init(struct api_vm *a, struct vm *vm)
{
	memset(a, 0, sizeof *a);
	a->vm = vm;
	a->start_ns = now_ns();
	/* Opened now: the sandbox allows no open later, but pread of an open /proc file. */
	a->proc_stat_fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	a->clock_ticks = sysconf(_SC_CLK_TCK);
	if (a->clock_ticks <= 0)
		a->clock_ticks = 100;
}

static const char *vm_state(struct vm *vm)
{
	if (stop_requested(&vm->stop))
		return "stopping";
	return vm_is_paused(vm) ? "paused" : "running";
}

/* The process's CPU time as the kernel accounts it (proc(5) /proc/PID/stat: utime, stime and
 * guest_time, in clock ticks; guest time is part of utime), in ms. false if unreadable. */
struct process_cpu {
	double guest_ms, kernel_ms, vmm_user_ms;
};

static bool read_process_cpu(struct api_vm *a, struct process_cpu *cpu)
{
	char buf[1024];
	ssize_t n = a->proc_stat_fd >= 0 ? pread(a->proc_stat_fd, buf, sizeof buf - 1, 0) : -1;
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	unsigned long long field[64] = {0};
	unsigned count = 0;
	for (p = p ? p + 2 : NULL; p && *p && count < 64; count++) {
		/* fields from 3 (state) on; state is a letter, the rest numbers */
		field[count] = strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	if (count < 41) /* guest_time is field 43, index 40 from field 3 */
		return false;
	double ms = 1000.0 / (double)a->clock_ticks;
	unsigned long long utime = field[11], stime = field[12], guest = field[40];
	cpu->guest_ms = (double)guest * ms;
	cpu->kernel_ms = (double)stime * ms;
	cpu->vmm_user_ms = (double)(utime > guest ? utime - guest : 0) * ms;
	return true;
}

/* The CPU time of vCPU v's thread so far. A running thread is asked through its CPU clock
 * (pthread_getcpuclockid: a clock_gettime, no open); one that finished left its figure. */
static uint64_t vcpu_cpu_ns(struct vcpu *v)
{
	struct timespec t;
	clockid_t clock;
	if (atomic_load(&v->finished) || !v->thread_started ||
	    pthread_getcpuclockid(v->thread, &clock) || clock_gettime(clock, &t))
		return v->cpu_ns;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static json_t *ns_or_null(bool known, uint64_t ns)
{
	return known ? json_integer((json_int_t)ns) : json_null();
}

/* One vCPU's time split (docs/api.md, "status"): wall time inside KVM_RUN less the time KVM
 * kept it halted (KVM's halt_wait_ns) is the guest and KVM together, which no counter of this
 * host separates per vCPU; the kernel's guest/system accounting of the whole process splits it
 * as an estimate, when the kernel accounts guest time at all (a kvm_pvm host accounts none). */
static json_t *vcpu_time_split(struct vm *vm, unsigned i, const struct vcpu_stat *st,
			       const struct process_cpu *cpu, bool have_cpu)
{
	uint64_t halted = 0;
	bool have_halted =
	    vm->trace && trace_session_counter_delta(vm->trace, i, "halt_wait_ns", &halted) == 0;
	uint64_t in_run = st->in_run_ns;
	if (halted > in_run) /* counted at different moments: the record comes at the exit */
		halted = in_run;
	uint64_t running = in_run - halted;
	bool estimate = have_cpu && cpu->guest_ms > 0;
	double guest_share = estimate ? cpu->guest_ms / (cpu->guest_ms + cpu->kernel_ms) : 0;
	uint64_t guest = (uint64_t)((double)running * guest_share);
	return json_pack("{s:I, s:o, s:I, s:o, s:o}", "guest_and_kvm", (json_int_t)running,
			 "halted", ns_or_null(have_halted, halted), "vmm",
			 (json_int_t)st->in_vmm_ns, "guest_est", ns_or_null(estimate, guest),
			 "kvm_est", ns_or_null(estimate, running - guest));
}

static int api_status(void *ctx, json_t *reply, struct vmm_error *err)
{
	(void)err;
	struct api_vm *a = ctx;
	struct vm *vm = a->vm;
	struct exit_stats *st = NULL;
	if (vm->trace && (st = malloc(sizeof *st)))
		trace_session_snapshot(vm->trace, st);
	struct process_cpu cpu;
	bool have_cpu = read_process_cpu(a, &cpu);
	json_object_set_new(reply, "state", json_string(vm_state(vm)));
	json_object_set_new(reply, "uptime_s", json_real((double)(now_ns() - a->start_ns) / 1e9));
	json_object_set_new(reply, "paused_s", json_real((double)vm_paused_ns(vm) / 1e9));
	json_object_set_new(reply, "guest",
			    json_string(vm->cfg.image_name ? vm->cfg.image_name : ""));
	json_object_set_new(reply, "reboots",
			    json_integer(__atomic_load_n(&vm->reboot.count, __ATOMIC_RELAXED)));
	json_t *vcpus = json_array();
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];
		bool finished = atomic_load(&v->finished);
		json_t *o = json_pack("{s:i, s:s, s:I, s:I}", "index", (int)i, "state",
				      finished ? "finished" : vm_state(vm), "exits",
				      (json_int_t)__atomic_load_n(&v->exits, __ATOMIC_RELAXED),
				      "cpu_ns", (json_int_t)vcpu_cpu_ns(v));
		if (st && i < EXIT_STATS_MAX_VCPUS) {
			json_object_set_new(o, "in_kvm_run_ns",
					    json_integer((json_int_t)st->vcpus[i].in_run_ns));
			json_object_set_new(o, "in_vmm_ns",
					    json_integer((json_int_t)st->vcpus[i].in_vmm_ns));
			json_object_set_new(o, "time_split_ns",
					    vcpu_time_split(vm, i, &st->vcpus[i], &cpu, have_cpu));
		}
		json_array_append_new(vcpus, o);
	}
	json_object_set_new(reply, "vcpus", vcpus);
	if (have_cpu)
		json_object_set_new(reply, "process_cpu_ms",
				    json_pack("{s:f, s:f, s:f}", "guest", cpu.guest_ms, "kernel",
					      cpu.kernel_ms, "vmm_user", cpu.vmm_user_ms));
	json_object_set_new(reply, "trace", a->trace ? json_string(a->trace_path) : json_null());
	free(st);
	return 0;
}

static json_t *bucket_json(const struct stat_bucket *b, const char *key_name)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I}", key_name, b->key, "samples",
			 (json_int_t)b->samples, "total_ns", (json_int_t)b->sum_ns, "min_ns",
			 (json_int_t)(b->samples ? b->min_ns : 0), "max_ns", (json_int_t)b->max_ns);
}

static int api_stats(void *ctx, json_t *reply, struct vmm_error *err)
{
	struct api_vm *a = ctx;
	struct vm *vm = a->vm;
	struct exit_stats *st = malloc(sizeof *st);
	if (!st)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	trace_session_snapshot(vm->trace, st);
	json_object_set_new(reply, "records", json_integer((json_int_t)st->records));
	json_object_set_new(reply, "in_kvm_run_ns", json_integer((json_int_t)st->in_run_ns));
	json_object_set_new(reply, "in_vmm_ns", json_integer((json_int_t)st->in_vmm_ns));
	/* Not records: writes KVM batched and minivmm handed on (machine/write_batch.h). */
	json_object_set_new(reply, "batched_writes",
			    json_integer((json_int_t)vm_batched_writes(vm)));
	json_t *reasons = json_array(), *accesses = json_array(), *vcpus = json_array();
	for (unsigned i = 0; i < st->reason_count; i++)
		json_array_append_new(reasons, bucket_json(&st->reasons[i], "reason"));
	for (unsigned i = 0; i < st->access_count; i++)
		json_array_append_new(accesses, bucket_json(&st->accesses[i], "access"));
	uint64_t in_kernel_total = 0;
	bool in_kernel_known = true;
	for (unsigned i = 0; i < vm->vcpu_count && i < EXIT_STATS_MAX_VCPUS; i++) {
		const struct vcpu_stat *v = &st->vcpus[i];
		json_t *o =
		    json_pack("{s:i, s:I, s:I, s:I}", "index", (int)i, "records",
			      (json_int_t)v->records, "in_kvm_run_ns", (json_int_t)v->in_run_ns,
			      "in_vmm_ns", (json_int_t)v->in_vmm_ns);
		uint64_t kvm_exits;
		/* KVM's own count of every exit since the start; those that did not reach
		 * minivmm are the in-kernel ones (kicks are records but no exit: clamp). */
		if (trace_session_counter_delta(vm->trace, i, "exits", &kvm_exits) == 0) {
			uint64_t in_kernel = kvm_exits > v->records ? kvm_exits - v->records : 0;
			in_kernel_total += in_kernel;
			json_object_set_new(o, "kvm_exits", json_integer((json_int_t)kvm_exits));
			json_object_set_new(o, "in_kernel_exits",
					    json_integer((json_int_t)in_kernel));
		} else {
			in_kernel_known = false;
		}
		json_array_append_new(vcpus, o);
	}
	json_object_set_new(reply, "in_kernel_exits",
			    in_kernel_known ? json_integer((json_int_t)in_kernel_total)
					    : json_null());
	json_object_set_new(reply, "reasons", reasons);
	json_object_set_new(reply, "accesses", accesses);
	json_object_set_new(reply, "vcpus", vcpus);
	free(st);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (mem) {
		trace_session_print_live_stats(vm->trace, mem);
		fclose(mem);
		json_object_set_new(reply, "text", json_string(text ? text : ""));
		free(text);
	}
	return 0;
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
				    .status = api_status,
				    .stats = api_stats,
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
