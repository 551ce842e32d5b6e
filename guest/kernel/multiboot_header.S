/* SPDX-License-Identifier: MIT */
/*
 * The kernel's Multiboot v1 header (Multiboot Specification 0.6.96, 3.1.1), first in .text so it
 * lies in the file's first 8 KiB. Flags: bit 0 (page-aligned modules), bit 1 (memory information)
 * and bit 16, the a.out kludge: the address fields below say where the file's bytes go, so a
 * loader that only reads ELF32 (QEMU's -kernel) accepts this ELF64 file too. guest.ld lays the
 * file out so that its bytes from __kernel_begin to __multiboot_load_end map one to one onto
 * memory (the gap before the program at 2 MiB is zeros in the file, outside every PT_LOAD).
 */
#include "minivmm/multiboot.h"

#define HEADER_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE)

	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long HEADER_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + HEADER_FLAGS)
	.long multiboot_header		/* header_addr */
	.long __kernel_begin		/* load_addr */
	.long __multiboot_load_end	/* load_end_addr: the last file byte, the program's data */
	.long __user_end		/* bss_end_addr: the program's bss and stack */
	.long multiboot_entry		/* entry_addr: entry32.S */

	.section .note.GNU-stack, "", @progbits
