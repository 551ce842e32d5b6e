/* SPDX-License-Identifier: MIT */
/*
 * A minimal ELF32 Multiboot v1 kernel for pc_platform.cmake: the PC platform devices seen from
 * a guest (docs/platform.md). It reads the ACPI PM timer until it moves (it must go forward),
 * reads PCI configuration space by mechanism #1 (the host bridge at 00:00.0, an absent device
 * at 00:1f.0), then powers off through ACPI S5 (SLP_TYP = S5 with SLP_EN in PM1a_CNT), which ends the run
 * with status 0. Each failed check writes its own status to minivmm's exit port instead:
 *   2 the PM timer never moved, 3 it went backwards, 4 the S5 write returned to the guest,
 *   5 00:00.0 is not the host bridge of docs/platform.md, 6 its class is not 06/00/00,
 *   7 00:1f.0 does not read all ones.
 */
#include "pc_guest_lib.h"

MULTIBOOT_KERNEL_START
	mov $msg_start, %esi
	call print

	/* The PM timer: two reads must differ (a tick is 279 ns, an exit takes microseconds). */
	mov $PC_ACPI_PM_TMR_BLK, %dx
	in %dx, %eax
	mov %eax, %ebx
	mov $1000, %ecx
1:	in %dx, %eax
	cmp %eax, %ebx
	jne 2f
	loop 1b
	FAIL(2)
2:	sub %ebx, %eax		/* forward by less than half the 32-bit range */
	js 3f
	mov $msg_timer, %esi
	call print
	jmp pci
3:	FAIL(3)

pci:	mov $0x80000000, %eax		/* enable, bus 0, device 0, function 0, register 0 */
	call config_read
	cmp $0x12378086, %eax
	je 1f
	FAIL(5)
1:	mov $0x80000008, %eax		/* class code, revision */
	call config_read
	shr $8, %eax
	cmp $0x060000, %eax
	je 2f
	FAIL(6)
2:	mov $0x8000f800, %eax		/* device 31, absent here and under QEMU -nodefaults */
	call config_read
	cmp $0xffffffff, %eax
	je 3f
	FAIL(7)
3:	mov $msg_pci, %esi
	call print

s5:	mov $msg_s5, %esi
	call print
	jmp power_off

/* Returns in EAX the configuration dword that the CONFIG_ADDRESS value in EAX selects. */
config_read:
	mov $PC_PCI_CONFIG_ADDRESS, %dx
	out %eax, %dx
	mov $PC_PCI_CONFIG_DATA, %dx
	in %dx, %eax
	ret

#include "pc_guest_lib.S"

	.section .rodata
msg_start:	.asciz "pc platform guest\n"
msg_timer:	.asciz "pm timer moves forward\n"
msg_pci:	.asciz "pci 00:00.0 host bridge, 00:1f.0 absent\n"
msg_s5:		.asciz "entering S5\n"
