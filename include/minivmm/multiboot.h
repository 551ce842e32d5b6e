/* SPDX-License-Identifier: MIT */
/*
 * Multiboot version 1 (Multiboot Specification 0.6.96): the OS image header, the machine state at
 * entry and the boot information, as the VMM (vmm/loader/multiboot*.c) writes them and the toy
 * guest (guest/kernel/entry32.S, multiboot_boot.c) reads them.
 *
 * Shared by vmm/ (hosted C), guest/ C and guest/ assembly: the structures are hidden from the
 * assembler, the constants are plain numbers. Every field is little-endian and 32 bits wide
 * (section 3.3: "all fields are u32"), so the C layouts below have no padding.
 */
#ifndef MINIVMM_MULTIBOOT_H
#define MINIVMM_MULTIBOOT_H

/* --- 3.1 OS image format: the header ---------------------------------------------------------
 * Within the first MULTIBOOT_SEARCH bytes of the file, 4-byte aligned; magic + flags + checksum
 * sum to 0 (mod 2^32). */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_SEARCH       8192
#define MULTIBOOT_HEADER_ALIGN 4

/* 3.1.2 flags. Bits 0-15 are requirements (a loader that cannot meet one must refuse the image);
 * bits 16-31 are optional features (a loader may ignore those it does not know). */
#define MULTIBOOT_PAGE_ALIGN  0x00000001u /* bit 0: modules page (4 KiB) aligned */
#define MULTIBOOT_MEMORY_INFO 0x00000002u /* bit 1: mem_* (and, if possible, mmap_*) wanted */
#define MULTIBOOT_VIDEO_MODE  0x00000004u /* bit 2: video mode table wanted */
#define MULTIBOOT_REQUIRED    0x0000ffffu /* bits 0-15 */
#define MULTIBOOT_AOUT_KLUDGE 0x00010000u /* bit 16: the address fields below are valid */

/* --- 3.2 Machine state: EAX at entry ---------------------------------------------------------- */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

/* --- 3.3 Boot information format: flags say which fields are valid ---------------------------- */
#define MULTIBOOT_INFO_MEMORY	    0x00000001u /* bit 0: mem_lower, mem_upper */
#define MULTIBOOT_INFO_BOOTDEV	    0x00000002u /* bit 1 */
#define MULTIBOOT_INFO_CMDLINE	    0x00000004u /* bit 2: cmdline */
#define MULTIBOOT_INFO_MODS	    0x00000008u /* bit 3: mods_count, mods_addr */
#define MULTIBOOT_INFO_MEM_MAP	    0x00000040u /* bit 6: mmap_length, mmap_addr */
#define MULTIBOOT_INFO_LOADER_NAME  0x00000200u /* bit 9: boot_loader_name */
#define MULTIBOOT_MEMORY_AVAILABLE  1u		/* mmap type 1: available RAM */
#define MULTIBOOT_MEMORY_RESERVED   2u		/* any other value: reserved */
#define MULTIBOOT_UPPER_MEMORY_BASE 0x100000u	/* mem_upper counts from 1 MiB */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* 3.1.1 The header: magic, flags, checksum, then (flags bit 16) the a.out-kludge addresses, all
 * physical: where the header itself is, the start and end of the bytes to load from the file,
 * the end of the bss to zero, and the entry point. */
struct multiboot_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum;
	uint32_t header_addr;
	uint32_t load_addr;
	uint32_t load_end_addr; /* 0: the rest of the file */
	uint32_t bss_end_addr;	/* 0: no bss */
	uint32_t entry_addr;
	uint32_t mode_type; /* flags bit 2: the preferred video mode */
	uint32_t width;
	uint32_t height;
	uint32_t depth;
};

/* 3.3 The boot information structure (EBX at entry); this VMM fills the fields up to
 * boot_loader_name and leaves the rest zero. */
struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline; /* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length; /* bytes of the map */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
};

/* 3.3 One boot module: [mod_start, mod_end) and its string. */
struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;
};

/* 3.3 One memory-map entry. size counts the bytes after itself (20 here), so the next entry is at
 * (entry + size + 4); base_addr and length are 64-bit but only 4-byte aligned, hence packed. */
struct __attribute__((packed)) multiboot_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
};

_Static_assert(sizeof(struct multiboot_header) == 48, "header layout");
_Static_assert(sizeof(struct multiboot_info) == 88, "info layout");
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "mmap entry layout");
#endif

#endif
