/* SPDX-License-Identifier: MIT */
/*
 * Stopping and resuming the guest for gdb: stops go through the VM's one pause
 * (machine/pause.h); the run loop hands every exit to gdb_stub_claim_exit first, which takes
 * those that are the debugger's (a step, a breakpoint) as stops.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdb/gdb_frame.h"
#include "gdb/gdb_stub_internal.h"

struct stop_record {
	struct gdb_stub *gdb;
	unsigned vcpu;
	int sig;
	enum stop_kind kind;
	uint64_t addr;
};

/* vm_pause_hold's hook: the first stop since the last resume is the one gdb is told about. */

/* vm_pause_hold's hook: the first stop since the last resume is the one gdb is told about. */
static void record_stop(void *ctx)
{
	struct stop_record *r = ctx;
	pthread_mutex_lock(&r->gdb->lock);
	r->gdb->stop_pending = true;
	r->gdb->stop_vcpu = r->vcpu;
	r->gdb->stop_signal = r->sig;
	r->gdb->stop_kind = r->kind;
	r->gdb->stop_addr = r->addr;
	pthread_mutex_unlock(&r->gdb->lock);
}

/* Asks every vCPU to park (machine/pause.h) and wakes the stub thread to answer gdb. */
void gdb_request_stop(struct gdb_stub *gdb, unsigned vcpu, int sig, enum stop_kind kind)
{
	gdb_request_stop_at(gdb, vcpu, sig, kind, 0);
}

void gdb_request_stop_at(struct gdb_stub *gdb, unsigned vcpu, int sig, enum stop_kind kind,
			 uint64_t addr)
{
	struct stop_record r = {gdb, vcpu, sig, kind, addr};
	if (vm_pause_hold(gdb->vm, VM_PAUSE_DEBUGGER, record_stop, &r))
		gdb_wake_thread(gdb);
}

bool gdb_stub_claim_exit(struct gdb_stub *gdb, struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	if (run->exit_reason == KVM_EXIT_MMIO && gdb->watch_pages &&
	    gdb_watch_claim_mmio(gdb, vcpu))
		return true; /* a write to a watched page: done; a stop if it hit the watched bytes
			      */
	if (atomic_load_explicit(&gdb->ring3_retry, memory_order_relaxed))
		gdb_ring3_retry_plant(gdb, vcpu);
	if (run->exit_reason == KVM_EXIT_DEBUG && gdb_ring3_claim_pass_step(gdb, vcpu))
		return true; /* stepped over a lifted ring-3 trap: put it back, run on */
	if (run->exit_reason == KVM_EXIT_DEBUG && gdb->hw_step_over[vcpu->index]) {
		/* Stepped off a debug-register breakpoint (gdb_resume()): arm them again, run on.
		 */
		gdb->hw_step_over[vcpu->index] = false;
		gdb_set_guest_debug(gdb, vcpu->index);
		return true;
	}
	if (run->exit_reason == KVM_EXIT_DEBUG) {
		/* #DB: a single-step or a debug-register hit (DR6 B0-B3); #BP: an int3 (USE_SW_BP).
		 * The guest's own int3, or its own trap flag (DR6.BS while we do not step), goes
		 * back to the guest, as if no debugger were there (api.rst 4.59: INJECT_BP/DB). */
		unsigned i = vcpu->index;
		bool guest_int3 = run->debug.arch.exception == 3 &&
				  !gdb_is_stub_breakpoint(gdb, run->debug.arch.pc);
		bool guest_tf = run->debug.arch.exception == 1 && !gdb->step[i] &&
				!(run->debug.arch.dr6 & 0xf) && (run->debug.arch.dr6 & (1u << 14));
		if (guest_int3 || guest_tf) {
			gdb->inject[i] =
			    guest_int3 ? KVM_GUESTDBG_INJECT_BP : KVM_GUESTDBG_INJECT_DB;
			gdb_set_guest_debug(gdb, i);
			return true;
		}
		enum stop_kind kind = STOP_KIND_SIGNAL;
		uint64_t addr = 0;
		if (run->debug.arch.exception == 3) {
			kind = STOP_KIND_SWBREAK;
		} else if ((run->debug.arch.dr6 & 0xf) && !gdb->step[vcpu->index]) {
			unsigned k = (unsigned)__builtin_ctzll(run->debug.arch.dr6 & 0xf);
			kind = gdb->hw[k].z_type == 1	? STOP_KIND_HWBREAK
			       : gdb->hw[k].z_type == 2 ? STOP_KIND_WATCH
			       : gdb->hw[k].z_type == 3 ? STOP_KIND_RWATCH
							: STOP_KIND_AWATCH;
			addr = gdb->hw[k].addr;
		}
		gdb_request_stop_at(gdb, vcpu->index, GDB_SIGTRAP, kind, addr);
		return true;
	}
	/* Hosts where an int3 in guest ring 0 is emulated (kvm_pvm): KVM cannot emulate it and
	 * stops with RIP at the 0xCC. Ours is a breakpoint hit, or one of the ring-3 traps at the
	 * guest's #DB/#BP handlers (gdb_ring3.c); anyone else's stays an error. */
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
	    run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		struct kvm_regs regs;
		if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0 &&
		    gdb_is_stub_breakpoint(gdb, regs.rip)) {
			gdb_request_stop(gdb, vcpu->index, GDB_SIGTRAP, STOP_KIND_SWBREAK);
			return true;
		}
		if (gdb_ring3_by_idt(gdb) && gdb_ring3_claim_trap(gdb, vcpu, &regs))
			return true;
	}
	return false;
}

/* Waits until every live vCPU is parked, so that none is inside KVM_RUN (where a vCPU ioctl
 * would block the stub until the guest exits, forever for a spinning guest). Bounded: a vCPU
 * stuck on the host side must not hang the stub. Then the ring-3 traps are lifted: gdb sees
 * the guest's own bytes. */
void gdb_wait_all_parked(struct gdb_stub *gdb)
{
	if (vm_pause_wait_parked(gdb->vm, GDB_PARK_TIMEOUT_MS) == 0)
		gdb_ring3_unplant(gdb);
}

int gdb_set_guest_debug(struct gdb_stub *gdb, unsigned i)
{
	struct kvm_guest_debug dbg;
	memset(&dbg, 0, sizeof dbg);
	bool any_sw = false, any_hw = false;
	for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
		any_sw |= gdb->sw[k].used;
	for (unsigned k = 0; k < GDB_MAX_HW_BP; k++) {
		if (!gdb->hw[k].used || gdb->hw_step_over[i])
			continue;
		any_hw = true;
		dbg.arch.debugreg[k] = gdb->hw[k].addr;
		/* Lk, R/Wk, LENk (Intel SDM vol. 3A 17.2.4) */
		dbg.arch.debugreg[7] |= 1ull << (2 * k) | (uint64_t)gdb->hw[k].rw << (16 + 4 * k) |
					(uint64_t)gdb->hw[k].len_code << (18 + 4 * k);
	}
	/* Where int3 is emulated it exits as an emulation failure anyway (gdb_stub_claim_exit). */
	if (any_sw && gdb->host.sw_breakpoint == GDB_NATIVE)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	if (any_hw)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	if (gdb->step[i] || gdb->hw_step_over[i] || gdb->trap_pass[i])
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | gdb->blockirq;
	if (gdb->inject[i])
		dbg.control |= KVM_GUESTDBG_ENABLE | gdb->inject[i];
	gdb->inject[i] = 0; /* once: KVM injects it on the next entry */
	return ioctl(gdb->vm->vcpus[i].fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -errno : 0;
}

/* Releases the parked vCPUs: those with run[i] set run (step[i]: one instruction). */
void gdb_resume(struct gdb_stub *gdb, const bool *run)
{
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++) {
		struct kvm_sregs sregs;
		/* Ring 3 that KVM does not see: a step by the trap flag (gdb_ring3.c). */
		if (gdb->step[i] && gdb_ring3_by_idt(gdb) &&
		    ioctl(gdb->vm->vcpus[i].fd, KVM_GET_SREGS, &sregs) == 0 &&
		    (sregs.cs.selector & 3) == 3 && gdb_ring3_prepare_step(gdb, i) == 0)
			gdb->step[i] = false;
	}
	gdb_ring3_plant(gdb);
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++) {
		struct kvm_regs regs;
		gdb->hw_step_over[i] = false;
		for (unsigned k = 0; k < GDB_MAX_HW_BP && run[i] && !gdb->step[i]; k++)
			if (gdb->hw[k].used && gdb->hw[k].z_type == 1 &&
			    ioctl(gdb->vm->vcpus[i].fd, KVM_GET_REGS, &regs) == 0 &&
			    regs.rip == gdb->hw[k].addr)
				gdb->hw_step_over[i] = true;
		gdb_set_guest_debug(gdb, i);
	}
	unsigned keep_parked = 0;
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++)
		keep_parked |= run[i] ? 0 : 1u << i;
	pthread_mutex_lock(&gdb->lock);
	gdb->stop_pending = false;
	pthread_mutex_unlock(&gdb->lock);
	gdb->running = true;
	vm_pause_release(gdb->vm, VM_PAUSE_DEBUGGER, keep_parked);
}

/* Back to a guest that runs without a debugger: no breakpoints, no stepping, nobody held. */
void gdb_detach(struct gdb_stub *gdb)
{
	if (gdb->running && !vm_pause_held_by(gdb->vm, VM_PAUSE_DEBUGGER))
		gdb_request_stop(gdb, 0, GDB_SIGINT, STOP_KIND_SIGNAL);
	gdb_wait_all_parked(gdb);
	struct gdb_cpu_state cpu;
	if (gdb_get_cpu(gdb, 0, &cpu) == 0)
		for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
			if (gdb->sw[k].used)
				gdb_sw_remove_slot(gdb, k, &cpu.sregs);
	memset(gdb->hw, 0, sizeof gdb->hw);
	gdb_watch_remove_all(gdb);
	memset(gdb->step, 0, sizeof gdb->step);
	bool all[VM_MAX_VCPUS];
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		all[i] = true;
	gdb_resume(gdb, all);
	gdb->running = false;
}

void gdb_send_stop_reply(struct gdb_stub *gdb)
{
	static const char *const why[] = {
	    [STOP_KIND_SIGNAL] = "",	     [STOP_KIND_SWBREAK] = "swbreak",
	    [STOP_KIND_HWBREAK] = "hwbreak", [STOP_KIND_WATCH] = "watch",
	    [STOP_KIND_RWATCH] = "rwatch",   [STOP_KIND_AWATCH] = "awatch",
	};
	char buf[80];
	int n =
	    snprintf(buf, sizeof buf, "T%02xthread:%02x;", gdb->stop_signal, gdb->stop_vcpu + 1);
	if (gdb->stop_kind == STOP_KIND_SWBREAK || gdb->stop_kind == STOP_KIND_HWBREAK)
		snprintf(buf + n, sizeof buf - (size_t)n, "%s:;", why[gdb->stop_kind]);
	else if (gdb->stop_kind != STOP_KIND_SIGNAL) /* the data address that was hit */
		snprintf(buf + n, sizeof buf - (size_t)n, "%s:%llx;", why[gdb->stop_kind],
			 (unsigned long long)gdb->stop_addr);
	gdb_send_str(gdb, buf);
}

/* Refuses (a note and a stop reply, nothing resumed) a step of a vCPU in ring 3 where neither
 * KVM nor the ring-3 traps can see it. */
bool gdb_step_refused(struct gdb_stub *gdb)
{
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++) {
		struct kvm_sregs sregs;
		if (gdb->step[i] && ioctl(gdb->vm->vcpus[i].fd, KVM_GET_SREGS, &sregs) == 0 &&
		    (sregs.cs.selector & 3) == 3 &&
		    !gdb_ring3_possible(gdb, &sregs, X86_VECTOR_DB)) {
			static const char note[] =
			    "minivmm: cannot step in guest ring 3 on this host "
			    "(its #DB goes to the guest); see "
			    "docs/debugging.md\n";
			memset(gdb->step, 0, sizeof gdb->step);
			gdb->reply[0] =
			    'O'; /* console output for gdb, then "stopped where it was" */
			gdb_to_hex((const uint8_t *)note, sizeof note - 1, gdb->reply + 1);
			gdb_send_packet(gdb, gdb->reply, 1 + 2 * (sizeof note - 1));
			gdb->stop_vcpu = i;
			gdb->stop_signal = GDB_SIGTRAP;
			gdb->stop_kind = STOP_KIND_SIGNAL;
			gdb_send_stop_reply(gdb);
			return true;
		}
	}
	return false;
}
