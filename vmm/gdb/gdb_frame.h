/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 structures the ring-3 debugging path reads out of guest memory (gdb_ring3.c),
 * decoded without touching a vCPU so that they can be unit-tested: IDT gates, the interrupt
 * frame the CPU pushes on an exception, and GDT segment descriptors. Every input is guest data:
 * nothing is assumed, each decoder says when the bytes do not make sense.
 */
#ifndef MINIVMM_GDB_FRAME_H
#define MINIVMM_GDB_FRAME_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#define X86_VECTOR_DB	    1 /* debug exception: single-step (TF), debug registers */
#define X86_VECTOR_BP	    3 /* breakpoint: int3 */
#define X86_RFLAGS_TF	    (1ull << 8)
#define X86_IDT_GATE_SIZE   16
#define X86_IRET_FRAME_SIZE 40

/* What the CPU pushes when it delivers #DB or #BP in 64-bit mode (neither has an error code;
 * Intel SDM vol. 3A 6.14.2, figure 6-9), lowest address first. */
struct x86_iret_frame {
	uint64_t rip, cs, rflags, rsp, ss;
};

/* The handler address of a 64-bit interrupt or trap gate (SDM vol. 3A 6.14.1, figure 6-8).
 * Returns 0, or -ENOENT if the gate is not present or not a 64-bit interrupt/trap gate. */
int x86_idt_gate_handler(const uint8_t gate[X86_IDT_GATE_SIZE], uint64_t *handler);

/* The frame at the handler's entry, from its 40 bytes. Returns 0, or -EINVAL if it does not
 * look like an interrupt from ring 3 (CS or SS not a ring-3 selector, RFLAGS bit 1 clear,
 * upper selector bits set). */
int x86_iret_frame_from_user(const uint8_t bytes[X86_IRET_FRAME_SIZE], struct x86_iret_frame *f);

/* The segment register KVM needs for a selector whose 8-byte descriptor is desc (SDM vol. 3A
 * 3.4.5): base, limit scaled by G, type, S, DPL, P, L, D/B, G, AVL. Returns 0, or -EINVAL for a
 * descriptor that is not present or is a system descriptor. */
int x86_segment_from_descriptor(uint64_t desc, uint16_t selector, struct kvm_segment *seg);

/* Where a ring-3 breakpoint or step stopped, recovered from the handler entry's frame: for #BP
 * the int3's address (the frame's RIP is the next byte), for #DB the frame's RIP (a trap, SDM
 * vol. 3A 17.3.1.4). RFLAGS loses the trap flag the debugger set (keep_tf: the guest's own). */
void x86_user_state_from_frame(const struct x86_iret_frame *f, unsigned vector, bool keep_tf,
			       struct kvm_regs *regs);

#endif
