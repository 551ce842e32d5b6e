/* SPDX-License-Identifier: MIT */
/*
 * A minimal ELF32 Multiboot v1 kernel for pc_platform.cmake: suspend to RAM (ACPI S3) and wake
 * on the RTC alarm, as ACPI 6.5 sections 7.4 and 16.1 describe. It writes its waking vector into
 * the FACS at PC_ACPI_FACS_GPA (the FACS header too, so the test does not depend on minivmm's
 * tables), copies its real-mode wake code there, sets the RTC alarm to match every second (AIE),
 * enables RTC_EN in PM1_EN and writes SLP_TYP = S3 with SLP_EN. Then, as ACPICA does, it loops
 * reading WAK_STS: that old context must never see it set, because the wake resumes at the
 * vector instead. The wake code (real mode, CS = vector >> 4) checks WAK_STS and RTC_STS in
 * PM1_STS, prints "woke from S3" and powers off through S5 (status 0).
 *
 * Built with -DNO_VECTOR the FACS has no waking vector: the wake is then a platform reset
 * (status 87 without --reboot). Built with -DCONSOLE_WAKE, RTC_EN stays clear, so only a key on
 * the console wakes it (the alarm still fires, and must not wake it), and RTC_STS is not
 * expected. Built with -DX_VECTOR, the FACS (version 1) names X_Firmware_Waking_Vector instead:
 * the wake enters wake32 below in 32-bit protected mode, flat, paging off. Built with -DSMP
 * (run with --cpus 2; implies -DX_VECTOR) it starts AP 1 first (pc_guest_lib.S), and after the
 * wake checks that the AP waits for a SIPI again (it ran no code for 100 ms) and starts it again.
 *
 * Statuses on failure: 20 the old context saw WAK_STS, 21 no wake within 30 s of PM timer,
 * 22 PM1_STS after the wake is not WAK_STS (with RTC_STS for the alarm), 4 the S5 write
 * returned; with -DSMP 10 the AP never started, 12 it still ran after the wake, 13 it did not
 * start again.
 */
#ifdef SMP
#define PC_GUEST_SMP
#define X_VECTOR
#endif
#include "pc_guest_lib.h"

#define WAKE_VECTOR  0x30000 /* CS = 0x3000, IP = 0 */
#define PM1_STS	     PC_ACPI_PM1A_EVT_BLK
#define PM1_EN	     (PC_ACPI_PM1A_EVT_BLK + 2)
#define WAK_STS	     0x8000
#define RTC_STS	     0x0400
#ifdef CONSOLE_WAKE
#define PM1_EN_VALUE 0
#define WAKE_BITS    WAK_STS
#else
#define PM1_EN_VALUE RTC_STS /* RTC_EN is the same bit */
#define WAKE_BITS    (WAK_STS | RTC_STS)
#endif

MULTIBOOT_KERNEL_START
#ifdef SMP
	call start_ap
	mov $1, %eax
	call wait_started
	jz 1f
	FAIL(10)
1:
#endif
	/* The FACS (ACPI 6.5 table 5.14): signature, length 64, the vector, version 0. */
	mov $PC_ACPI_FACS_GPA, %edi
	movl $0x53434146, (%edi)		/* "FACS" */
	movl $64, 4(%edi)
#if defined(NO_VECTOR)
	movl $0, 12(%edi)
	movb $0, 32(%edi)
#elif defined(X_VECTOR)
	movl $WAKE_VECTOR, 12(%edi)		/* ignored: the X vector is non-zero */
	movl $wake32, 24(%edi)
	movl $0, 28(%edi)
	movb $1, 32(%edi)			/* version 1: the X vector exists */
#else
	movl $WAKE_VECTOR, 12(%edi)
	movb $0, 32(%edi)
#endif
	mov $wake, %esi
	mov $WAKE_VECTOR, %edi
	mov $(wake_end - wake), %ecx
	rep movsb

	/* The RTC alarm: every alarm byte "don't care" (11xxxxxx), AIE on, 24-hour BCD. */
	mov $0x01, %al
	call rtc_write_c0
	mov $0x03, %al
	call rtc_write_c0
	mov $0x05, %al
	call rtc_write_c0
	mov $0x0b, %al
	out %al, $0x70
	mov $0x22, %al				/* AIE | 24-hour */
	out %al, $0x71
	mov $0x0c, %al				/* read C: no alarm pending from before */
	out %al, $0x70
	in $0x71, %al

	mov $PM1_EN, %dx
	mov $PM1_EN_VALUE, %ax
	out %ax, %dx
	mov $msg_sleep, %esi
	call print
	mov $PC_ACPI_PM1A_CNT_BLK, %dx
	mov $((PC_ACPI_SLP_TYP_S3 << 10) | (1 << 13) | 1), %ax
	out %ax, %dx

	/* ACPICA's wait for the return to the working state, bounded by the PM timer. */
	mov $PC_ACPI_PM_TMR_BLK, %dx
	in %dx, %eax
	mov %eax, %ebx
1:	mov $PM1_STS, %dx
	in %dx, %ax
	test $WAK_STS, %ax
	jz 2f
	FAIL(20)
2:	mov $PC_ACPI_PM_TMR_BLK, %dx
	in %dx, %eax
	sub %ebx, %eax
	cmp $(30000 * TICKS_PER_MS), %eax
	jb 1b
	FAIL(21)

/* The X_Firmware_Waking_Vector's code: 32-bit protected mode, flat, paging off. */
wake32:
	mov $0x200000, %esp			/* the wake gives no stack */
	mov $PM1_STS, %dx
	in %dx, %ax
	and $(WAK_STS | RTC_STS), %ax
	cmp $WAKE_BITS, %ax
	je 1f
	FAIL(22)
1:	out %ax, %dx
#ifdef SMP
	call ap_stands_still
	je 2f
	FAIL(12)
2:	call start_ap
	mov $2, %eax
	call wait_started
	jz 3f
	FAIL(13)
3:	mov $msg_ap_again, %esi
	call print
#endif
	mov $msg_wake32, %esi
	call print
	jmp power_off

rtc_write_c0:
	out %al, $0x70
	mov $0xc0, %al
	out %al, $0x71
	ret

/* The waking vector's code: real mode, CS = WAKE_VECTOR >> 4, IP = 0, interrupts off. */
	.code16
wake:
	mov %cs, %ax
	mov %ax, %ds
	mov $PM1_STS, %dx
	in %dx, %ax
	and $(WAK_STS | RTC_STS), %ax
	cmp $WAKE_BITS, %ax
	je 1f
	mov $22, %eax
	mov $EXIT_PORT, %dx
	out %eax, %dx
1:	out %ax, %dx				/* write 1 to clear both */
	mov $(wake_msg - wake), %si
	mov $0x3f8, %dx
2:	lodsb
	test %al, %al
	jz 3f
	out %al, %dx
	jmp 2b
3:	mov $PC_ACPI_PM1A_CNT_BLK, %dx
	mov $((PC_ACPI_SLP_TYP_S5 << 10) | (1 << 13) | 1), %ax
	out %ax, %dx
	mov $4, %eax
	mov $EXIT_PORT, %dx
	out %eax, %dx
wake_msg:
	.asciz "woke from S3\n"
wake_end:

	.code32
#include "pc_guest_lib.S"

	.section .rodata
msg_sleep:	.asciz "entering S3\n"
msg_wake32:	.asciz "woke from S3 in protected mode\n"
msg_ap_again:	.asciz "ap 1 waited for a SIPI after the wake and started again\n"
