/* SPDX-License-Identifier: MIT */
/*
 * The IDT (Intel SDM vol. 3A 6.10, 6.14.1) as initialized data: the 32 exception gates and the
 * system-call gate, and the 16 hardware-interrupt gates that interrupts.c copies in when there
 * is an interrupt controller (idt_install_irq_gates, exceptions.c). Writing the gates at boot cost
 * about 200 emulated ring-0 instructions on the development host; the linker fills them in.
 *
 * A 64-bit interrupt gate is 16 bytes (figure 6-8), two quadwords:
 *   low:  bits 15:0 offset 15:0, 31:16 code segment selector, 34:32 IST (0: no stack switch),
 *         43:40 type, 46:45 DPL, 47 P, 63:48 offset 31:16
 *   high: bits 31:0 offset 63:32 (0: guest.ld links the kernel below 2 MiB), 63:32 reserved (0)
 * The assembler cannot split a relocatable address into the two offset halves; guest.ld defines,
 * for each handler H, idt_offset_H: H's offset bits in their places in the low quadword. The gate
 * adds the selector and the type byte.
 */
#include "kernel_layout.h"

/* P, DPL 0 (INT n from ring 3 cannot reach these: it takes a #GP instead), type 0xe: 64-bit
 * interrupt gate (IF cleared on entry). The system-call gate has DPL 3 so INT $0x80 may use it. */
#define GATE_INTERRUPT_DPL0 0x8e
#define GATE_INTERRUPT_DPL3 0xee

#define VECTOR_INVALID_OPCODE 6

.macro gate offset, type=GATE_INTERRUPT_DPL0, addend=0
	.quad \offset + \addend + (GDT_KERNEL_CODE << 16) + (\type << 40)
	.quad 0
.endm

	.data
	.balign 16
	.global idt
idt:
	.irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.if \vector == VECTOR_INVALID_OPCODE
	gate idt_offset_invalid_opcode_entry /* #UD, or INT $0x80 on PVM (syscall_entry.S) */
	.else
	/* Stub k is at exception_stubs + k * EXCEPTION_STUB_SIZE, all inside one 64 KiB-aligned
	 * block (exception_stubs.S): adding to offset 15:0 never carries into offset 31:16. */
	gate idt_offset_exception_stubs, GATE_INTERRUPT_DPL0, \vector*EXCEPTION_STUB_SIZE
	.endif
	.endr
	/* Vectors 32..SYSCALL_VECTOR-1: not present (a fault if ever raised) unless interrupts.c
	 * installs the IRQ gates. */
	.fill (SYSCALL_VECTOR - EXCEPTION_VECTORS) * 2, 8, 0
	gate idt_offset_syscall_trap_entry, GATE_INTERRUPT_DPL3
	/* exceptions.c declares idt[SYSCALL_VECTOR + 1]. */
	.if . - idt != (SYSCALL_VECTOR + 1) * 16
	.error "the IDT does not end at the system-call gate"
	.endif

	/* Vectors IRQ_VECTOR_BASE + 0..15, one per PIC input (interrupts.c): every line gets a
	 * gate, so a stray or spurious IRQ returns instead of faulting. */
	.section .rodata
	.balign 16
	.global irq_gates
irq_gates:
	.irp irq, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.if \irq == IRQ_TIMER
	gate idt_offset_irq_timer_entry
	.elseif \irq == IRQ_COM1
	gate idt_offset_irq_com1_entry
	.elseif \irq == IRQ_RTC
	gate idt_offset_irq_rtc_entry /* masked at the PIC until SYS_RTC_PERIODIC */
	.else
	gate idt_offset_irq_ignored_entry
	.endif
	.endr

	.section .note.GNU-stack, "", @progbits
