/* SPDX-License-Identifier: MIT */
/*
 * Breakpoints and single-steps in guest ring 3 on hosts where KVM never sees ring 3's #BP and
 * #DB (kvm_pvm: ring 3 runs natively and its exceptions go straight to the guest's IDT; the
 * probe says so: software breakpoints "emulated"). On VT-x/SVM none of this runs: KVM
 * intercepts #BP/#DB in every ring (KVM_SET_GUEST_DEBUG).
 *
 * The guest's own #DB and #BP handlers run in ring 0, which this host emulates, and an int3
 * there exits as an emulation failure with RIP at the 0xCC (as for the stub's ring-0
 * breakpoints). So while gdb needs ring 3, an int3 is planted at both handlers' entries (found
 * through vCPU 0's IDT). When one is hit, the 5-word frame the CPU pushed (Intel SDM vol. 3A
 * 6.14.2) says where ring 3 was: if it is the stub's (one of gdb's int3s, or the trap flag of
 * a step gdb asked for) the vCPU is put back into ring 3 exactly as before the exception
 * (RIP, RSP, RFLAGS, CS and SS from the frame and the GDT; the handler has not run a single
 * instruction) and the stop is reported there. Otherwise it is the guest's own int3 or trap
 * flag: the trap is lifted, the handler's first instruction single-stepped (ring 0 steps
 * work here), the trap put back, and the guest's handler runs as without a debugger.
 *
 * The traps are planted when the guest is resumed and lifted when it stops, so gdb never reads
 * them. Their addresses are what the IDT said at the resume: a guest that changes its IDT or
 * the handler's mapping meanwhile is not followed until the next resume.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdb/gdb_frame.h"
#include "gdb/gdb_stub_internal.h"

static const unsigned trap_vector[GDB_RING3_TRAPS] = {X86_VECTOR_DB, X86_VECTOR_BP};

bool gdb_ring3_by_idt(struct gdb_stub *gdb)
{
	return gdb->host.sw_breakpoint == GDB_EMULATED;
}

/* The host address of the handler entry of vector in the IDT of s, or NULL. */
static uint8_t *handler_entry(struct gdb_stub *gdb, const struct kvm_sregs *s, unsigned vector,
			      uint64_t *handler)
{
	uint8_t gate[X86_IDT_GATE_SIZE];
	if ((uint64_t)vector * X86_IDT_GATE_SIZE + X86_IDT_GATE_SIZE - 1 > s->idt.limit ||
	    gdb_access_virt(gdb, s, s->idt.base + vector * X86_IDT_GATE_SIZE, gate, sizeof gate,
			    false) != sizeof gate ||
	    x86_idt_gate_handler(gate, handler))
		return NULL;
	return gdb_guest_virt(gdb, s, *handler, 1);
}

bool gdb_ring3_possible(struct gdb_stub *gdb, const struct kvm_sregs *s, unsigned vector)
{
	uint64_t handler;
	if (gdb->host.sw_breakpoint == GDB_NATIVE)
		return true; /* KVM intercepts #BP/#DB in ring 3 too */
	return gdb_ring3_by_idt(gdb) && handler_entry(gdb, s, vector, &handler) != NULL;
}

static bool needed(struct gdb_stub *gdb)
{
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++)
		if (gdb->user_step[i])
			return true;
	/* Any breakpoint: whether its page is a user page may change after the insert (the
	 * guest builds its user mappings later), and a trap costs nothing until hit. */
	for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
		if (gdb->sw[k].used)
			return true;
	return false;
}

/* With gdb->lock held: plants what the IDT of s allows; true when both traps are in. */
static bool plant_locked(struct gdb_stub *gdb, const struct kvm_sregs *s)
{
	bool all = true;
	for (unsigned t = 0; t < GDB_RING3_TRAPS; t++) {
		struct gdb_ring3_trap *trap = &gdb->trap[t];
		if (trap->planted)
			continue;
		uint8_t *p = handler_entry(gdb, s, trap_vector[t], &trap->addr);
		if (!p || *p == 0xcc) { /* no IDT yet, or an int3 there already (not ours) */
			all = false;
			continue;
		}
		trap->hva = p;
		trap->saved = *p;
		*p = 0xcc;
		trap->planted = true;
	}
	return all;
}

void gdb_ring3_plant(struct gdb_stub *gdb)
{
	struct gdb_cpu_state cpu;
	if (!gdb_ring3_by_idt(gdb) || !needed(gdb) || gdb_get_cpu(gdb, 0, &cpu))
		return;
	pthread_mutex_lock(&gdb->lock);
	/* The guest may not have its IDT yet (gdb attached before it booted): try again at
	 * the vCPUs' exits until it does. */
	atomic_store(&gdb->ring3_retry, !plant_locked(gdb, &cpu.sregs));
	pthread_mutex_unlock(&gdb->lock);
}

void gdb_ring3_retry_plant(struct gdb_stub *gdb, struct vcpu *vcpu)
{
	struct kvm_sregs sregs;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return;
	pthread_mutex_lock(&gdb->lock);
	if (atomic_load(&gdb->ring3_retry) && plant_locked(gdb, &sregs))
		atomic_store(&gdb->ring3_retry, false);
	pthread_mutex_unlock(&gdb->lock);
}

void gdb_ring3_unplant(struct gdb_stub *gdb)
{
	pthread_mutex_lock(&gdb->lock);
	atomic_store(&gdb->ring3_retry, false);
	for (unsigned t = 0; t < GDB_RING3_TRAPS; t++) {
		struct gdb_ring3_trap *trap = &gdb->trap[t];
		if (trap->planted && *trap->hva == 0xcc)
			*trap->hva = trap->saved;
		trap->planted = false;
	}
	pthread_mutex_unlock(&gdb->lock);
	/* A step cut short by another vCPU's stop (or Ctrl-C): in ring 3 its trap flag is taken
	 * back. In ring 0 (a step over a system call that blocks) TF waits in the kernel's
	 * interrupt frame: the step stays ours, and ends as a stop when the kernel returns. */
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++) {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		int fd = gdb->vm->vcpus[i].fd;
		if (!gdb->user_step[i] || atomic_load(&gdb->vm->vcpus[i].finished) ||
		    ioctl(fd, KVM_GET_SREGS, &sregs) < 0 || (sregs.cs.selector & 3) != 3)
			continue;
		gdb->user_step[i] = false;
		if (ioctl(fd, KVM_GET_REGS, &regs) == 0 && !gdb->user_step_guest_tf[i]) {
			regs.rflags &= ~X86_RFLAGS_TF;
			ioctl(fd, KVM_SET_REGS, &regs);
		}
	}
}

int gdb_ring3_prepare_step(struct gdb_stub *gdb, unsigned i)
{
	struct kvm_regs regs;
	int fd = gdb->vm->vcpus[i].fd;
	if (ioctl(fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	gdb->user_step_guest_tf[i] = regs.rflags & X86_RFLAGS_TF;
	regs.rflags |= X86_RFLAGS_TF; /* a trap after the next instruction (SDM vol. 3A 17.3.1.4) */
	if (ioctl(fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	gdb->user_step[i] = true;
	return 0;
}

/* The segment register for selector from the GDT of s. */
static int user_segment(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t selector,
			struct kvm_segment *seg)
{
	uint8_t bytes[8];
	uint64_t desc;
	uint64_t offset = selector & ~7ull;
	if ((selector & 4) || offset + 7 > s->gdt.limit || /* LDT selectors: not followed */
	    gdb_access_virt(gdb, s, s->gdt.base + offset, bytes, 8, false) != 8)
		return -EFAULT;
	memcpy(&desc, bytes, 8);
	return x86_segment_from_descriptor(desc, (uint16_t)selector, seg);
}

/* Back into ring 3 as before the exception: the handler has not run. */
static int unwind(struct gdb_stub *gdb, struct vcpu *vcpu, struct kvm_regs *regs,
		  struct kvm_sregs *sregs, const struct x86_iret_frame *f, unsigned vector)
{
	unsigned i = vcpu->index;
	struct kvm_segment cs, ss;
	if (user_segment(gdb, sregs, f->cs, &cs) || user_segment(gdb, sregs, f->ss, &ss))
		return -EFAULT;
	bool keep_tf = gdb->user_step[i] ? gdb->user_step_guest_tf[i] : true;
	x86_user_state_from_frame(f, vector, keep_tf, regs);
	sregs->cs = cs;
	sregs->ss = ss;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, sregs) < 0 || ioctl(vcpu->fd, KVM_SET_REGS, regs) < 0)
		return -errno;
	gdb->user_step[i] = false;
	return 0;
}

/* The guest's own #BP/#DB: its handler runs. Lift the trap for one ring-0 step. */
static void pass_through(struct gdb_stub *gdb, unsigned i, unsigned t)
{
	pthread_mutex_lock(&gdb->lock);
	if (gdb->trap[t].planted && *gdb->trap[t].hva == 0xcc)
		*gdb->trap[t].hva = gdb->trap[t].saved;
	pthread_mutex_unlock(&gdb->lock);
	gdb->trap_pass[i] = true;
	gdb->trap_pass_which[i] = t;
	gdb_set_guest_debug(gdb, i);
}

bool gdb_ring3_claim_trap(struct gdb_stub *gdb, struct vcpu *vcpu, struct kvm_regs *regs)
{
	unsigned t;
	pthread_mutex_lock(&gdb->lock);
	for (t = 0; t < GDB_RING3_TRAPS; t++)
		if (gdb->trap[t].planted && gdb->trap[t].addr == regs->rip)
			break;
	pthread_mutex_unlock(&gdb->lock);
	if (t == GDB_RING3_TRAPS)
		return false;
	unsigned i = vcpu->index, vector = trap_vector[t];
	struct kvm_sregs sregs;
	uint8_t bytes[X86_IRET_FRAME_SIZE];
	struct x86_iret_frame f;
	bool ours = false;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) == 0 &&
	    gdb_access_virt(gdb, &sregs, regs->rsp, bytes, sizeof bytes, false) == sizeof bytes &&
	    x86_iret_frame_from_user(bytes, &f) == 0)
		ours = vector == X86_VECTOR_BP ? gdb_is_stub_breakpoint(gdb, f.rip - 1)
					       : gdb->user_step[i];
	if (!ours || unwind(gdb, vcpu, regs, &sregs, &f, vector)) {
		pass_through(gdb, i, t);
		return true;
	}
	gdb_request_stop(gdb, i, GDB_SIGTRAP,
			 vector == X86_VECTOR_BP ? STOP_KIND_SWBREAK : STOP_KIND_SIGNAL);
	return true;
}

bool gdb_ring3_claim_pass_step(struct gdb_stub *gdb, struct vcpu *vcpu)
{
	unsigned i = vcpu->index;
	if (!gdb->trap_pass[i])
		return false;
	struct gdb_ring3_trap *trap = &gdb->trap[gdb->trap_pass_which[i]];
	pthread_mutex_lock(&gdb->lock);
	if (trap->planted)
		*trap->hva = 0xcc;
	pthread_mutex_unlock(&gdb->lock);
	gdb->trap_pass[i] = false;
	gdb_set_guest_debug(gdb, i);
	return true;
}
