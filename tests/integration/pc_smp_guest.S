/* SPDX-License-Identifier: MIT */
/*
 * A minimal ELF32 Multiboot v1 kernel for pc_platform.cmake, run with --cpus 2: the boot
 * processor starts the application processor as a PC kernel does (pc_guest_lib.S: its own
 * real-mode trampoline, INIT and two STARTUP IPIs through the LAPIC's ICR to APIC id 1), waits
 * (at most 20 s of PM timer) for the AP to count itself, then powers off through S5.
 *
 * Built with -DREBOOT_TEST (run with --reboot): after the AP is up, the BSP resets the machine
 * through port 0xCF9. Guest RAM survives a reboot, so the second boot sees STARTED = 1, checks
 * that SPINS stands still for 100 ms (the AP went back to wait-for-SIPI instead of running the
 * old boot's code), starts it again and waits for STARTED = 2.
 *
 * Statuses on failure (minivmm's exit port): 10 the AP never started, 11 the reset returned,
 * 12 the AP still ran after the reboot, 13 it did not start again, 4 the S5 write returned.
 */
#include "pc_guest_lib.h"
#define PC_GUEST_SMP

MULTIBOOT_KERNEL_START
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
	call ap_stands_still
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
	jmp power_off

#include "pc_guest_lib.S"

	.section .rodata
msg_started:	.asciz "ap 1 started by INIT-SIPI-SIPI\n"
msg_rebooted:	.asciz "rebooted\n"
msg_again:	.asciz "ap 1 started again after the reboot\n"
