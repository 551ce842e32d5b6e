/* SPDX-License-Identifier: MIT */
/*
 * A minimal ELF32 Multiboot v1 kernel (flags 0x3, no a.out kludge) for multiboot.cmake: prints
 * "mb32 ok" if EAX holds 0x2BADB002, then exits with mods_count, plus 10 if the command line's
 * second word (the first is the kernel's file name, as GRUB and QEMU pass it) starts with "x"
 * (Multiboot spec 3.2, 3.3: mods_count at EBX + 20, cmdline at EBX + 16).
 */
	.text
	.code32
	.balign 4	/* the header, first in .text: within the first 8 KiB of the file (3.1.1) */
	.long 0x1BADB002, 0x00000003, -(0x1BADB002 + 0x00000003)
	.global _start
_start:
	cmp $0x2BADB002, %eax
	jne bad
	mov $0x3f8, %dx
	mov $msg, %esi
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	mov 20(%ebx), %eax	/* mods_count */
	mov 16(%ebx), %ecx	/* cmdline: "FILE ARGS" */
4:	cmpb $0, (%ecx)
	je 3f
	cmpb $' ', (%ecx)
	je 5f
	inc %ecx
	jmp 4b
5:	cmpb $'x', 1(%ecx)
	jne 3f
	add $10, %eax
3:	mov $0x501, %dx
	out %eax, %dx
bad:	mov $42, %eax
	mov $0x501, %dx
	out %eax, %dx
	hlt
	.section .rodata
msg:	.asciz "mb32 ok\n"
