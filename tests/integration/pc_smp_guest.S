/* SPDX-License-Identifier: MIT */
/*
 * A minimal ELF32 Multiboot v1 kernel for pc_platform.cmake, run with --cpus 2: the boot
 * processor starts the application processor as a PC kernel does (Intel SDM vol. 3A 9.4.4):
 * its own real-mode trampoline copied to TRAMPOLINE, then INIT and two STARTUP IPIs through the
 * LAPIC's ICR to APIC id 1. The AP counts itself in STARTED, then spins incrementing SPINS
 * forever. The BSP waits (at most 20 s of PM timer) for the count, then powers off through S5.
 *
 * Built with -DREBOOT_TEST (run with --reboot): after the AP is up, the BSP resets the machine
 * through port 0xCF9. Guest RAM survives a reboot, so the second boot sees STARTED = 1, checks
 * that SPINS stands still for 100 ms (the AP went back to wait-for-SIPI instead of running the
 * old boot's code), starts it again and waits for STARTED = 2.
 *
 * Statuses on failure (minivmm's exit port): 10 the AP never started, 11 the reset returned,
 * 12 the AP still ran after the reboot, 13 it did not start again, 4 the S5 write returned.
 */
#include "platform/pc_layout.h"

#define EXIT_PORT     0x501
#define TRAMPOLINE    0x20000 /* below the kernel, in conventional memory every layout leaves free */
#define STARTED	      (TRAMPOLINE + 0x100)
#define SPINS	      (TRAMPOLINE + 0x104)
#define LAPIC_SVR     (PC_LAPIC_ADDRESS + 0xf0)
#define LAPIC_ICR_LOW (PC_LAPIC_ADDRESS + 0x300)
#define LAPIC_ICR_HI  (PC_LAPIC_ADDRESS + 0x310)
#define TICKS_PER_MS  3580
#define FAIL(n) mov $n, %eax; jmp fail

	.text
	.code32
	.balign 4
	.long 0x1BADB002, 0x00000003, -(0x1BADB002 + 0x00000003)
	.global _start
_start:
	mov $0x200000, %esp
#ifdef REBOOT_TEST
	cmpl $0, STARTED
	jne second_boot
#endif
	call start_ap
	mov $1, %eax
	call wait_started
	jz 1f
	FAIL(10)
1:	mov $msg_started, %esi
	call print
#ifdef REBOOT_TEST
	mov $PC_RESET_REG_PORT, %dx
	mov $PC_RESET_REG_VALUE, %al
	out %al, %dx
	mov $100000, %ecx
2:	loop 2b
	FAIL(11)

second_boot:
	mov $msg_rebooted, %esi
	call print
	mov SPINS, %ebx
	mov $(100 * TICKS_PER_MS), %eax
	call delay
	cmp SPINS, %ebx
	je 3f
	FAIL(12)
3:	call start_ap
	mov $2, %eax
	call wait_started
	jz 4f
	FAIL(13)
4:	mov $msg_again, %esi
	call print
#endif
	mov $PC_ACPI_PM1A_CNT_BLK, %dx
	mov $((PC_ACPI_SLP_TYP_S5 << 10) | (1 << 13) | 1), %ax
	out %ax, %dx
	mov $100000, %ecx
5:	loop 5b
	FAIL(4)

fail:	mov $EXIT_PORT, %dx
	out %eax, %dx
	hlt

/* Copies the trampoline and sends INIT, STARTUP, STARTUP to APIC id 1, with the SDM's delays. */
start_ap:
	mov $ap_trampoline, %esi
	mov $TRAMPOLINE, %edi
	mov $(ap_trampoline_end - ap_trampoline), %ecx
	rep movsb
	movl $0x1ff, LAPIC_SVR		/* software-enable the LAPIC, spurious vector 0xff */
	movl $(1 << 24), LAPIC_ICR_HI
	movl $0x00004500, LAPIC_ICR_LOW	/* INIT, level assert */
	mov $(10 * TICKS_PER_MS), %eax
	call delay
	mov $2, %ecx
1:	movl $(1 << 24), LAPIC_ICR_HI
	movl $(0x00004600 | (TRAMPOLINE >> 12)), LAPIC_ICR_LOW /* STARTUP, vector = page */
	mov $TICKS_PER_MS, %eax
	call delay
	loop 1b
	ret

/* ZF set once STARTED equals EAX, within 20 s of the PM timer; ZF clear on timeout. */
wait_started:
	push %eax
	mov $PC_ACPI_PM_TMR_BLK, %dx
	in %dx, %eax
	mov %eax, %ebx
1:	mov (%esp), %eax
	cmp STARTED, %eax
	je 2f
	in %dx, %eax
	sub %ebx, %eax
	cmp $(20000 * TICKS_PER_MS), %eax
	jb 1b
	test %esp, %esp			/* ZF clear: timed out */
2:	pop %eax
	ret

/* Waits EAX ticks of the PM timer (wrap-safe: differences of the 32-bit count). */
delay:
	push %ebx
	push %ecx
	mov %eax, %ecx
	mov $PC_ACPI_PM_TMR_BLK, %dx
	in %dx, %eax
	mov %eax, %ebx
1:	in %dx, %eax
	sub %ebx, %eax
	cmp %ecx, %eax
	jb 1b
	pop %ecx
	pop %ebx
	ret

print:	mov $0x3f8, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	ret

/* The AP's first code: real mode at CS = TRAMPOLINE >> 4, IP = 0 (the SIPI's vector). */
	.code16
ap_trampoline:
	mov %cs, %ax
	mov %ax, %ds
	lock incl (STARTED - TRAMPOLINE)
1:	lock incl (SPINS - TRAMPOLINE)
	jmp 1b
ap_trampoline_end:

	.section .rodata
msg_started:	.asciz "ap 1 started by INIT-SIPI-SIPI\n"
msg_rebooted:	.asciz "rebooted\n"
msg_again:	.asciz "ap 1 started again after the reboot\n"
