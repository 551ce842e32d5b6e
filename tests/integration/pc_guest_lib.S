/* SPDX-License-Identifier: MIT */
/*
 * Routines the PC platform test kernels share (#included inside their 32-bit .text; ESP must be
 * a usable stack): printing, failing with a status, PM-timer delays, S5, and with PC_GUEST_SMP
 * the start of AP 1 by INIT-SIPI-SIPI (Intel SDM vol. 3A 9.4.4) with a real-mode trampoline
 * that counts itself in STARTED, then increments SPINS forever. Its constants and FAIL() are in
 * pc_guest_lib.h, included first.
 */
/* Ends the run with the status in EAX (minivmm's exit port). */
fail:	mov $EXIT_PORT, %dx
	out %eax, %dx
	hlt

/* S5 (SLP_TYP from the DSDT's \_S5, SLP_EN, SCI_EN): under minivmm the run ends with status 0
 * at the OUT; QEMU powers off a moment later (its main loop), so the failure waits 5 s. */
power_off:
	mov $PC_ACPI_PM1A_CNT_BLK, %dx
	mov $((PC_ACPI_SLP_TYP_S5 << 10) | (1 << 13) | 1), %ax
	out %ax, %dx
	mov $(5000 * TICKS_PER_MS), %eax
	call delay
	FAIL(4)

/* Prints the string at ESI on COM1. */
print:	push %edx
	mov $0x3f8, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	pop %edx
	ret

/* Waits EAX ticks of the PM timer (wrap-safe: differences of the 32-bit count). */
delay:	push %ebx
	push %ecx
	push %edx
	mov %eax, %ecx
	mov $PC_ACPI_PM_TMR_BLK, %dx
	in %dx, %eax
	mov %eax, %ebx
1:	in %dx, %eax
	sub %ebx, %eax
	cmp %ecx, %eax
	jb 1b
	pop %edx
	pop %ecx
	pop %ebx
	ret

#ifdef PC_GUEST_SMP
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

/* ZF set if SPINS stands still for 100 ms: AP 1 runs no code (it waits for a SIPI). */
ap_stands_still:
	mov SPINS, %ebx
	mov $(100 * TICKS_PER_MS), %eax
	call delay
	cmp SPINS, %ebx
	ret

/* The AP's first code: real mode at CS = TRAMPOLINE >> 4, IP = 0 (the SIPI's vector). */
	.code16
ap_trampoline:
	mov %cs, %ax
	mov %ax, %ds
	lock incl (STARTED - TRAMPOLINE)
1:	lock incl (SPINS - TRAMPOLINE)
	jmp 1b
ap_trampoline_end:
	.code32
#endif
