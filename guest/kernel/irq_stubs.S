/* SPDX-License-Identifier: MIT */
/*
 * Entry points of the hardware interrupts (vectors 0x20-0x2f after the PIC remap in
 * interrupts.c). The CPU pushes SS, RSP, RFLAGS, CS, RIP on a 16-byte aligned stack (Intel SDM
 * vol. 3A 6.14.2): TSS.RSP0 when ring 3 was interrupted, the current kernel stack when the
 * kernel was waiting in `sti; hlt`. Interrupt gates clear IF, so nothing nests here.
 *
 * Every instruction below is emulated on the development host: the timer entry is six
 * instructions and calls no C. The end of interrupt is a non-specific EOI to the master PIC
 * (8259A datasheet, OCW2 = 0x20); KVM's in-kernel PIC takes it without an exit to the VMM.
 */
#define PIC_MASTER_COMMAND 0x20
#define PIC_SLAVE_COMMAND  0xa0
#define PIC_EOI		   0x20
#define CMOS_INDEX	   0x70
#define CMOS_DATA	   0x71
#define RTC_STATUS_C	   0x0c
#define RTC_C_IRQF	   0x80

	.text
	.global irq_timer_entry
irq_timer_entry:
	push %rax
	incq timer_ticks(%rip)
	mov $PIC_EOI, %al
	out %al, $PIC_MASTER_COMMAND
	pop %rax
	iretq

	/* COM1 (IRQ 4): drain the UART in C. Save the SysV caller-saved registers: five CPU words
	 * plus nine pushes leave RSP 16-byte aligned for the call. */
	.global irq_com1_entry
irq_com1_entry:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	cld /* the C ABI wants DF clear; ring 3 may have set it */
	call com1_irq_handler
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	iretq

	/* The RTC (IRQ 8, the slave's input 0; enabled by SYS_RTC_PERIODIC). Reading register C
	 * clears its flags and so lowers the line (MC146818A, register C), which lets the next
	 * flag make a new edge; IRQF tells that the RTC really asked. The index write leaves
	 * register C selected: the kernel's own CMOS accesses run with IF clear, a program's
	 * SYS_PORT_* pair does not. Then EOI to the slave and to the master it cascades into
	 * (8259A datasheet, cascade mode). Two exits to minivmm (0x70, 0x71); the EOIs stay in KVM. */
	.global irq_rtc_entry
irq_rtc_entry:
	push %rax
	mov $RTC_STATUS_C, %al
	out %al, $CMOS_INDEX
	in $CMOS_DATA, %al
	test $RTC_C_IRQF, %al
	jz 1f
	incq rtc_interrupts(%rip)
1:	mov $PIC_EOI, %al
	out %al, $PIC_SLAVE_COMMAND
	out %al, $PIC_MASTER_COMMAND
	pop %rax
	iretq

	/* The other lines are masked. A spurious IRQ 7 (8259A datasheet: IR7 when the request went
	 * away before the INTA cycle) gets no EOI, since its ISR bit is not set. */
	.global irq_ignored_entry
irq_ignored_entry:
	iretq

	.section .note.GNU-stack, "", @progbits
