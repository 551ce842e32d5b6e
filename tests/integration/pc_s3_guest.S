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
 * expected.
 *
 * Statuses on failure: 20 the old context saw WAK_STS, 21 no wake within 30 s of PM timer,
 * 22 PM1_STS after the wake is not WAK_STS (with RTC_STS for the alarm), 4 the S5 write
 * returned.
 */
#include "platform/pc_layout.h"

#define EXIT_PORT    0x501
#define WAKE_VECTOR  0x20000 /* CS = 0x2000, IP = 0 */
#define TICKS_PER_MS 3580
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
#define FAIL(n) mov $n, %eax; jmp fail

	.text
	.code32
	.balign 4
	.long 0x1BADB002, 0x00000003, -(0x1BADB002 + 0x00000003)
	.global _start
_start:
	/* The FACS (ACPI 6.5 table 5.14): signature, length 64, the vector, version 0. */
	mov $PC_ACPI_FACS_GPA, %edi
	movl $0x53434146, (%edi)		/* "FACS" */
	movl $64, 4(%edi)
#ifdef NO_VECTOR
	movl $0, 12(%edi)
#else
	movl $WAKE_VECTOR, 12(%edi)
#endif
	movb $0, 32(%edi)
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

fail:	mov $EXIT_PORT, %dx
	out %eax, %dx
	hlt

rtc_write_c0:
	out %al, $0x70
	mov $0xc0, %al
	out %al, $0x71
	ret

print:	mov $0x3f8, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	ret

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

	.section .rodata
msg_sleep:	.asciz "entering S3\n"
