/* SPDX-License-Identifier: MIT */
/* Real-address mode entry state (real_mode.h). */
#include "x86/real_mode.h"

#include <string.h>

#define X86_CR0_ET 0x10u

static struct kvm_segment real_segment(uint16_t selector, uint8_t type)
{
	/* The hidden parts a real-mode segment load leaves (SDM vol. 3A 20.1.1): base selector *
	 * 16, limit 0xFFFF, present, a code or data segment, 16-bit. */
	return (struct kvm_segment){.base = (uint64_t)selector << 4,
				    .limit = 0xffff,
				    .selector = selector,
				    .type = type,
				    .present = 1,
				    .s = 1};
}

void x86_real_mode_sregs(struct kvm_sregs *sregs, uint16_t cs_selector)
{
	sregs->cs = real_segment(cs_selector, 0xb); /* execute/read, accessed */
	sregs->ds = real_segment(0, 0x3);	    /* read/write, accessed */
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	/* The system segments as the processor's reset leaves them (SDM table 9-1). */
	sregs->tr = (struct kvm_segment){.limit = 0xffff, .type = 0xb, .present = 1};
	sregs->ldt = (struct kvm_segment){.limit = 0xffff, .type = 0x2, .present = 1};
	sregs->gdt.base = 0;
	sregs->gdt.limit = 0xffff;
	sregs->idt.base = 0; /* the real-mode interrupt vector table */
	sregs->idt.limit = 0x3ff;
	sregs->cr0 = X86_CR0_ET; /* PE and PG clear; caches on, as firmware leaves them */
	sregs->cr2 = 0;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
}

void x86_real_mode_regs(struct kvm_regs *regs, uint16_t ip)
{
	memset(regs, 0, sizeof *regs);
	regs->rip = ip;
	regs->rflags = 0x2; /* bit 1 is reserved-one; IF clear */
}
