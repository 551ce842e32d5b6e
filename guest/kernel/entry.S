/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry from minivmm (include/minivmm/boot_abi.h): 64-bit mode, ring 0, paging on with the
 * VMM's identity map, interrupts off, RDI = boot info, RSI = MINIVMM_BOOT_MAGIC. The VMM has
 * already zero-filled .bss while loading the ELF, so nothing is cleared here.
 */
#include "kernel_layout.h"

	.section .text.entry, "ax"
	.global kernel_entry
kernel_entry:
	/* DF clear, as the C ABI wants: boot_abi.h promises nothing about RFLAGS. */
	cld
	/* An application processor (RSI = MINIVMM_AP_MAGIC, RDX = its number): it shares the
	 * VMM's boot stack with the BSP, so it takes its own before anything is pushed. */
	cmp $KERNEL_AP_MAGIC, %rsi
	je ap_entry
	/* Leave the VMM's boot stack (in its reserved pages) for our own; the top is 16-byte
	 * aligned, as the SysV ABI wants before a call. RDI and RSI pass straight through as
	 * kmain's two arguments. */
	mov $kernel_stack_top, %rsp
	call kmain
1:	cli
	hlt
	jmp 1b

ap_entry:
	test %rdx, %rdx
	jz 1b			/* cpu 0 is the BSP: not a valid AP number */
	cmp $KERNEL_MAX_CPUS, %rdx
	jae 1b			/* no stack for it: park */
	mov %rdx, %rax
	shl $12, %rax		/* * KERNEL_AP_STACK_SIZE: cpu k's stack top, k = 1..7 */
	lea ap_stacks(%rax), %rsp
	call ap_main		/* RDI, RSI, RDX: boot info, magic, cpu number */
	jmp 1b

	.section .bss
	.balign 16
	.global kernel_stack_top
kernel_stack:
	.space KERNEL_STACK_SIZE
kernel_stack_top:
	.balign 16
ap_stacks:
	.space KERNEL_AP_STACK_SIZE * (KERNEL_MAX_CPUS - 1)

	.section .note.GNU-stack, "", @progbits
