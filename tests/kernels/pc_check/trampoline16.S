/* SPDX-License-Identifier: MIT */
/*
 * The real-mode trampoline, copied by trampoline.c to a 4 KiB page below 640 KiB that the
 * memory map says is available. Two kinds of CPU arrive at its first byte in real mode with
 * CS = page >> 4, IP = 0: an application processor woken by a start-up IPI whose vector is
 * page >> 12 (Intel SDM 3A 9.4.4, 11.6.1), and the boot processor after an S3 resume, through
 * the FACS waking vector (ACPI 6.5 5.2.10: CS = vector >> 4, IP = vector & 0xF). Both load
 * the kernel's GDT, enter protected mode and jump to pm32_entry (boot.S), which is linked at
 * 1 MiB, so the far jump's absolute address needs no patching; EBX carries the page's
 * address, where pm32_entry finds its target (trampoline.h). trampoline.c copies the GDT
 * descriptor into trampoline_gdtr (real mode reaches only the first MiB).
 */
	.section .trampoline, "a"
	.code16
	.global trampoline_start, trampoline_gdtr, trampoline_end
trampoline_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	xor %ebx, %ebx
	mov %ax, %bx
	shl $4, %ebx		/* the page's physical address */
	lgdtl trampoline_gdtr - trampoline_start	/* DS:offset, 32-bit base */
	mov %cr0, %eax
	and $0x9fffffff, %eax	/* caches on (CD, NW clear: an AP leaves INIT with both set) */
	or $1, %eax		/* PE */
	mov %eax, %cr0
	ljmpl $0x08, $pm32_entry
	.balign 4
trampoline_gdtr:
	.word 0
	.long 0
trampoline_end:

	.section .note.GNU-stack, "", @progbits
