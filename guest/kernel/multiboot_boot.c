/* SPDX-License-Identifier: MIT */
/*
 * Turns the Multiboot v1 information (Multiboot Specification 0.6.96, 3.3) into the kernel's own
 * struct minivmm_boot_info, so that after a multiboot entry (entry32.S) the kernel runs exactly
 * as after minivmm's direct 64-bit boot. Runs once, in ring 0, before anything else: short loops
 * only (each instruction is emulated on the development host).
 */
#include <stdint.h>

#include "minivmm/boot_abi.h"
#include "minivmm/multiboot.h"

const struct minivmm_boot_info *multiboot_translate_info(const struct multiboot_info *mb);

static struct minivmm_boot_info boot_info;

/* RAM size: the end of the highest available (type 1) range below 4 GiB in the memory map
 * (flags bit 6), else 1 MiB + mem_upper KiB (flags bit 0). */
static uint64_t ram_size(const struct multiboot_info *mb)
{
	uint64_t top = 0;
	if (mb->flags & MULTIBOOT_INFO_MEM_MAP) {
		uint64_t at = mb->mmap_addr, end = at + mb->mmap_length;
		while (at + sizeof(struct multiboot_mmap_entry) <= end) {
			const struct multiboot_mmap_entry *e = (const void *)(uintptr_t)at;
			uint64_t range_end = e->base_addr + e->length;
			if (e->type == MULTIBOOT_MEMORY_AVAILABLE && range_end > top &&
			    range_end <= MINIVMM_IDENTITY_MAP_SIZE)
				top = range_end;
			at += e->size + sizeof e->size; /* 3.3: size excludes itself */
		}
	}
	if (!top && (mb->flags & MULTIBOOT_INFO_MEMORY))
		top = MULTIBOOT_UPPER_MEMORY_BASE + (uint64_t)mb->mem_upper * 1024;
	return top;
}

/* Copies a NUL-terminated string, cut to fit. Returns its length. */
static uint32_t copy_string(char *dst, const char *src, uint32_t max)
{
	uint32_t n = 0;
	while (n + 1 < max && src[n]) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
	return n;
}

/* The kernel's arguments: GRUB, QEMU's -kernel and minivmm put the kernel image's path first in
 * the command line (3.3 leaves its content to the loader), so the first word is dropped and the
 * program sees the same arguments under every loader. */
static const char *kernel_arguments(const struct multiboot_info *mb)
{
	const char *cmdline = (const char *)(uintptr_t)mb->cmdline;
	while (*cmdline && *cmdline != ' ')
		cmdline++;
	return *cmdline == ' ' ? cmdline + 1 : cmdline;
}

const struct minivmm_boot_info *multiboot_translate_info(const struct multiboot_info *mb)
{
	uint64_t cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	boot_info.magic = MINIVMM_BOOT_MAGIC;
	boot_info.abi_version = MINIVMM_BOOT_ABI_VERSION;
	boot_info.ram_size = ram_size(mb);
	boot_info.pml4_gpa = cr3 & ~0xfffull;
	boot_info.cpu_count = 1;
	if (mb->flags & MULTIBOOT_INFO_CMDLINE)
		boot_info.cmdline_len =
		    copy_string(boot_info.cmdline, kernel_arguments(mb), MINIVMM_CMDLINE_MAX);
	uint32_t n = copy_string(boot_info.vmm_version, "multiboot: ", MINIVMM_VERSION_MAX);
	if (mb->flags & MULTIBOOT_INFO_LOADER_NAME)
		copy_string(boot_info.vmm_version + n,
			    (const char *)(uintptr_t)mb->boot_loader_name, MINIVMM_VERSION_MAX - n);
	return &boot_info;
}
