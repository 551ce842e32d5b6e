/* SPDX-License-Identifier: MIT */
/*
 * The application processors' real-mode start (--sipi-smp), copied by smp.c to
 * KERNEL_TRAMPOLINE_GPA (below 1 MiB, 4 KiB aligned) before the BSP sends INIT-SIPI-SIPI. The
 * SIPI's vector V starts the AP in real mode at CS = V << 8 (base V << 12), IP = 0 (Intel SDM
 * vol. 3A 9.4.4, 11.6.1). It loads a flat 32-bit GDT, sets CR0.PE and far-jumps to 32-bit code,
 * which jumps to entry32.S's switch_to_long_mode with EDI = 1 (an AP). Every instruction here is
 * emulated on the development host: ten of them.
 *
 * The code runs at another address than it is linked at, so every address is an offset from
 * ap_trampoline plus KERNEL_TRAMPOLINE_GPA, which the assembler computes.
 */
#include "kernel_layout.h"

#define TRAMPOLINE_ADDR(label) ((label) - ap_trampoline + KERNEL_TRAMPOLINE_GPA)

	.section .rodata.ap_trampoline, "a"
	.global ap_trampoline, ap_trampoline_end
	.code16
ap_trampoline:
	cli
	mov %cs, %ax
	mov %ax, %ds
	lgdtl trampoline_gdt_pointer - ap_trampoline	/* DS-relative: DS = CS */
	mov %cr0, %eax
	or $1, %eax			/* CR0.PE */
	mov %eax, %cr0
	ljmpl $0x08, $TRAMPOLINE_ADDR(trampoline32)

	.code32
trampoline32:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $1, %edi			/* an application processor */
	mov $switch_to_long_mode, %eax	/* entry32.S, in the kernel image */
	jmp *%eax

	.balign 8
trampoline_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: flat 32-bit code (SDM vol. 3A 3.4.5) */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
trampoline_gdt_pointer:
	.word trampoline_gdt_pointer - trampoline_gdt - 1
	.long TRAMPOLINE_ADDR(trampoline_gdt)
ap_trampoline_end:

	.section .note.GNU-stack, "", @progbits
