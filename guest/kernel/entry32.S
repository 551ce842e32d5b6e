/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot v1 entry (Multiboot Specification 0.6.96, 3.2): 32-bit protected mode, paging
 * off, flat segments, EAX = 0x2BADB002, EBX = the multiboot information, no usable stack or GDT.
 * It switches to long mode itself (Intel SDM vol. 3A 10.8.5 "Initializing IA-32e Mode": PAE
 * paging structures, CR4.PAE, IA32_EFER.LME, then CR0.PG, then a far jump into a 64-bit code
 * segment), straight from protected mode without paging, since 32-bit paging is never needed.
 *
 * The page tables are static data (below), identity-mapping 0-4 GiB with 2 MiB pages like the
 * VMM's (the kernel's make_user_accessible() and SYS_MMIO_MAP edit 2 MiB entries): building them
 * costs no instruction, which matters where ring 0 is emulated. They live in the kernel image, so
 * this works under any multiboot loader, where nothing below 1 MiB is known to be free.
 *
 * Then, in 64-bit mode, multiboot_boot.c turns the multiboot information into the kernel's
 * struct minivmm_boot_info, and the direct entry (entry.S) continues as after a direct boot.
 */
#include "kernel_layout.h"
#include "minivmm/multiboot.h"

#define MSR_EFER      0xc0000080
#define EFER_SCE_LME  0x101	 /* SYSCALL enable, long mode enable */
#define CR4_PAE	      0x20
#define CR0_LONG_MODE 0x80010033 /* PG | WP | NE | ET | MP | PE, as the direct boot sets */
#define PTE_PRESENT_RW	0x3
#define PDE_2MIB_PAGE	0x83	 /* present, writable, PS */
#define BOOT_MAGIC	0x4d4d5654 /* MINIVMM_BOOT_MAGIC (boot_abi.h is C only) */
#define EXIT_PORT	0x501	   /* MINIVMM_EXIT_PORT */
#define ISA_DEBUG_EXIT	0xf4
#define STATUS_BAD_BOOT 42	   /* GUEST_STATUS_BAD_BOOT */

	.section .text.entry32, "ax"
	.code32
	.global multiboot_entry
multiboot_entry:
	/* DF clear for multiboot_boot.c's C: a loader leaves EFLAGS' bits other than VM and IF
	 * undefined (Multiboot 0.6.96, 3.2, "Machine state"). */
	cld
	cmp $MULTIBOOT_BOOTLOADER_MAGIC, %eax
	jne not_multiboot
	mov %ebx, %esi			/* the information, kept across the switch */
	xor %edi, %edi			/* not an application processor */
	/* Also the AP trampoline's way to long mode (ap_trampoline.S, --sipi-smp), with EDI = 1:
	 * ESI and EDI survive to long_mode_entry. */
	.global switch_to_long_mode
switch_to_long_mode:
	lgdt boot_gdt_pointer
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_SCE_LME, %eax
	wrmsr
	mov $CR0_LONG_MODE, %eax
	mov %eax, %cr0			/* IA-32e mode is active (compatibility mode) */
	ljmp $GDT_KERNEL_CODE, $long_mode_entry

not_multiboot:
	/* Not entered by a multiboot loader: end the run with the kernel's bad-boot status, on
	 * minivmm's exit port and, for QEMU, isa-debug-exit. */
	mov $STATUS_BAD_BOOT, %eax
	mov $EXIT_PORT, %dx
	out %eax, %dx
	out %eax, $ISA_DEBUG_EXIT
1:	cli
	hlt
	jmp 1b

	.code64
long_mode_entry:
	mov $GDT_KERNEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	test %edi, %edi
	jnz ap_long_mode
	mov $kernel_stack_top, %rsp
	mov %esi, %edi			/* zero-extends: the information's physical address */
	call multiboot_translate_info	/* -> struct minivmm_boot_info * */
	mov %rax, %rdi
	mov $BOOT_MAGIC, %esi
	jmp kernel_entry		/* as if the VMM had booted us directly */

ap_long_mode:
	/* An AP from the SIPI trampoline: enter as if the VMM had started it (--direct-smp). */
	mov $1, %eax
	cpuid				/* EBX[31:24]: the initial APIC ID = the cpu number */
	shr $24, %ebx
	mov %ebx, %edx
	mov $KERNEL_AP_MAGIC, %esi
	xor %edi, %edi
	jmp kernel_entry

	.section .rodata
	.balign 8
boot_gdt:				/* the selectors of the VMM's boot GDT (boot_abi.h) */
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 (SDM vol. 3A 3.4.5, 5.2.1) */
	.quad 0x00cf92000000ffff	/* 0x10: data, read/write */
boot_gdt_end:
boot_gdt_pointer:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	/* 4-level paging (SDM vol. 3A 5.5): one PML4 entry, four PDPT entries, 2048 PD entries of
	 * 2 MiB pages covering 0-4 GiB, computed by the assembler. */
	.section .data.page_tables, "aw"
	.balign 4096
boot_pml4:
	.quad boot_pdpt + PTE_PRESENT_RW
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + PTE_PRESENT_RW
	.quad boot_pd + 0x1000 + PTE_PRESENT_RW
	.quad boot_pd + 0x2000 + PTE_PRESENT_RW
	.quad boot_pd + 0x3000 + PTE_PRESENT_RW
	.fill 508, 8, 0
boot_pd:
	.set page, 0
	.rept 2048
	.quad page + PDE_2MIB_PAGE
	.set page, page + 0x200000
	.endr

	.section .note.GNU-stack, "", @progbits
