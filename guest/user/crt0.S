/* SPDX-License-Identifier: MIT */
/*
 * Program entry. The kernel enters here in ring 3 (IRETQ) with RSP at __user_stack_top, a 16-byte
 * aligned address, so the call below gives main the alignment the SysV ABI promises. This symbol
 * is the only one the program exports (guest/CMakeLists.txt localizes the rest).
 */
	.text
	.global user_start
user_start:
	xor %ebp, %ebp /* the outermost frame, for anyone walking frame pointers */
	call main
	mov %eax, %edi
	call exit

	.section .note.GNU-stack, "", @progbits
