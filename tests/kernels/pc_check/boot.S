/* SPDX-License-Identifier: MIT */
/*
 * pc_check's entry points: the Multiboot v1 header and the boot processor's entry (Multiboot
 * 0.6.96 3.1, 3.2), the kernel's own GDT (the boot loader's may be gone: 3.2 "GDTR ... may be
 * invalid"), and the 32-bit side of the real-mode trampoline (trampoline16.S), which application
 * processors and the S3 resume both reach.
 *
 * No writable data is initialized (the linker script checks): QEMU's -kernel loader writes the
 * ELF's segments again at every system reset, the S3 wake-up included, so the kernel keeps what
 * must survive a sleep outside its image (trampoline.h).
 */
#define MULTIBOOT_MAGIC 0x1BADB002
#define MULTIBOOT_FLAGS 0x00000003 /* page-aligned modules, memory information; ELF: no a.out kludge */
#define CODE_SELECTOR	0x08
#define DATA_SELECTOR	0x10
#define BSP_STACK_SIZE	16384
#define AP_STACK_SIZE	4096
#define AP_STACK_COUNT	15 /* minivmm runs up to 8 vCPUs; QEMU tests use as many */
#define TRAMPOLINE_TARGET 0x100 /* trampoline.h */

	.section .multiboot, "a"
	.balign 4
	.long MULTIBOOT_MAGIC, MULTIBOOT_FLAGS, -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

	.text
	.code32
	.global _start
_start:
	cli
	cld
	lgdt gdt_descriptor		/* EAX (magic) and EBX (info) stay untouched */
	ljmp $CODE_SELECTOR, $1f
1:	mov $DATA_SELECTOR, %ecx
	mov %ecx, %ds
	mov %ecx, %es
	mov %ecx, %fs
	mov %ecx, %gs
	mov %ecx, %ss
	mov $bsp_stack + BSP_STACK_SIZE, %esp
	push %ebx
	push %eax
	call pc_check_main
	.global halt_forever
halt_forever:
	cli
	hlt
	jmp halt_forever

/* The trampoline's far jump lands here in protected mode with only CS loaded and EBX holding
 * the trampoline page, whose target says why the CPU came (ap_entry or s3_resume_entry). */
	.global pm32_entry
pm32_entry:
	mov $DATA_SELECTOR, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	mov %eax, %ss
	cld
	jmp *TRAMPOLINE_TARGET(%ebx)

/* An application processor: its own stack, whatever order they arrive in, then ap_main. */
	.global ap_entry
ap_entry:
	mov $1, %eax
	lock xadd %eax, ap_stacks_taken
	cmp $AP_STACK_COUNT, %eax
	jae halt_forever
	inc %eax
	imul $AP_STACK_SIZE, %eax
	lea ap_stacks(%eax), %esp
	call ap_main
	jmp halt_forever

/* The boot processor back from S3: a fresh stack, then s3_resumed(page) (sleep.c). */
	.global s3_resume_entry
s3_resume_entry:
	mov $bsp_stack + BSP_STACK_SIZE, %esp
	push %ebx
	call s3_resumed
	jmp halt_forever

	.section .rodata
	.balign 8
gdt:	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: code, base 0, 4 GiB, 32-bit, accessed */
	.quad 0x00cf93000000ffff	/* 0x10: data, base 0, 4 GiB, 32-bit, accessed */
gdt_end:
	.global gdt_descriptor
gdt_descriptor:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.balign 16
ap_stacks_taken: .long 0
	.balign 16
bsp_stack:	.skip BSP_STACK_SIZE
ap_stacks:	.skip AP_STACK_SIZE * AP_STACK_COUNT

	.section .note.GNU-stack, "", @progbits
