/*
 * Kernel entry from minivmm (include/minivmm/boot_abi.h): 64-bit mode, ring 0, paging on with the
 * VMM's identity map, interrupts off, RDI = boot info, RSI = MINIVMM_BOOT_MAGIC. The VMM has
 * already zero-filled .bss while loading the ELF, so nothing is cleared here.
 */
#include "kernel_layout.h"

	.section .text.entry, "ax"
	.global kernel_entry
kernel_entry:
	/* Leave the VMM's boot stack (in its reserved pages) for our own; the top is 16-byte
	 * aligned, as the SysV ABI wants before a call. RDI and RSI pass straight through as
	 * kmain's two arguments. */
	mov $kernel_stack_top, %rsp
	call kmain
1:	cli
	hlt
	jmp 1b

	.section .bss
	.balign 16
	.global kernel_stack_top
kernel_stack:
	.space KERNEL_STACK_SIZE
kernel_stack_top:

	.section .note.GNU-stack, "", @progbits
