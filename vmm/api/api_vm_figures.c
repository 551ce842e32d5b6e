/* SPDX-License-Identifier: MIT */
/*
 * The control socket's two answers that only read a running VM, status and stats: the figures
 * `minivmm top` samples every interval. Apart from api_vm.c, whose commands act on the VM
 * (pause, regs, trace, stop, snapshot), because this half is all accounting: the process's CPU
 * time from /proc/self/stat, each vCPU's thread clock and time split, and the trace session's
 * running summary (taken under its lock, off the exit path).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api_vm_internal.h"
#include "machine/vm.h"
#include "machine/write_batch.h"
#include "trace/exit_stats.h"
#include "util/monotonic_clock.h"

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

int api_vm_status(void *ctx, json_t *reply, struct vmm_error *err)
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
	json_object_set_new(reply, "uptime_s",
			    json_real((double)(monotonic_ns() - a->start_ns) / 1e9));
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

int api_vm_stats(void *ctx, json_t *reply, struct vmm_error *err)
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
