/* SPDX-License-Identifier: MIT */
/* The constants and the FAIL() macro of the PC platform test kernels (pc_guest_lib.S). */
#ifndef PC_GUEST_LIB_H
#define PC_GUEST_LIB_H

#include "platform/pc_layout.h"

/* Assembler syntax, which clang-format would split ("% eax"): */
/* clang-format off */
#define EXIT_PORT     0x501
#define TICKS_PER_MS  3580    /* PM timer ticks, 3.579545 MHz */
#define TRAMPOLINE    0x20000 /* below the kernel, in conventional memory every layout leaves free */
#define STARTED       (TRAMPOLINE + 0x100)
#define SPINS         (TRAMPOLINE + 0x104)
#define LAPIC_SVR     (PC_LAPIC_ADDRESS + 0xf0)
#define LAPIC_ICR_LOW (PC_LAPIC_ADDRESS + 0x300)
#define LAPIC_ICR_HI  (PC_LAPIC_ADDRESS + 0x310)
#define FAIL(n) mov $n, %eax; jmp fail
/* The Multiboot v1 header (flags 0x3, no a.out kludge: an ELF32 kernel), first in .text, and
 * the entry a stack (the Multiboot entry leaves ESP undefined, 3.2). */
#define MULTIBOOT_KERNEL_START                                                                 \
	.text; .code32; .balign 4;                                                             \
	.long 0x1BADB002, 0x00000003, -(0x1BADB002 + 0x00000003);                              \
	.global _start; _start: mov $0x200000, %esp
/* clang-format on */

#endif
