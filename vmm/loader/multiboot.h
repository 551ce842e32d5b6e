/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 kernels (Multiboot Specification 0.6.96, include/minivmm/multiboot.h): finding and
 * checking the header (multiboot.c), loading the kernel through the a.out-kludge addresses
 * (multiboot.c) or an ELF32's program headers (multiboot_elf32.c), and writing the boot
 * information with its memory map, command line and modules (multiboot_info.c).
 *
 * Like every loader, all of this checks the untrusted image completely before it writes guest RAM,
 * and reports a refusal as one line in err (status VMM_EXIT_GUEST_IMAGE).
 */
#ifndef MINIVMM_LOADER_MULTIBOOT_H
#define MINIVMM_LOADER_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/guest_mem.h"
#include "loader/loader.h"
#include "minivmm/multiboot.h"
#include "util/vmm_error.h"

#define MULTIBOOT_MAX_MODULES 16
#define MULTIBOOT_LOADER_NAME "minivmm"

/* A header found in an image: its offset in the file and its fields (the address fields are zero
 * when the image is shorter than they need, which only matters with flags bit 16). */
struct multiboot_image_header {
	size_t offset;
	struct multiboot_header fields;
};

/* A boot module (3.3): an open file, read straight into guest RAM once the whole layout is known
 * to fit (no copy in host memory), and again at each reboot; size is fstat's when it was opened,
 * and a file that changed size since is refused. */
struct multiboot_module_spec {
	int fd;
	uint64_t size;
	const char *string; /* never NULL */
	const char *name;   /* for messages */
};

/* The command line the kernel reads is "KERNEL_NAME CMDLINE", or "KERNEL_NAME" alone without a
 * command line: the kernel's file first, as GRUB (the whole `multiboot` line) and QEMU's
 * -kernel/-append pass it, so a kernel that takes the first word as argv[0] sees its arguments. */
struct multiboot_boot_params {
	const char *kernel_name; /* NULL: the empty string */
	const char *cmdline;	 /* NULL or "": no arguments */
	const struct multiboot_module_spec *modules;
	size_t module_count;
};

/* A kernel checked against its file and the PC's reserved memory but not yet written: each piece
 * is filesz bytes of the image followed by memsz - filesz zero bytes, at guest-physical gpa.
 * Addresses come from u32 fields, so every sum below fits 64 bits. */
#define MULTIBOOT_MAX_PIECES 64
struct multiboot_piece {
	uint64_t gpa;
	const uint8_t *bytes;
	uint64_t filesz, memsz;
};
struct multiboot_kernel {
	struct multiboot_piece pieces[MULTIBOOT_MAX_PIECES];
	size_t count;
	uint64_t entry;	     /* physical: where the CPU starts with paging off */
	uint64_t begin, end; /* the lowest byte of all pieces, one past the highest */
};

/* Where the boot information goes: its structures and strings in [info_at, info_end) inside
 * minivmm's boot data area (PC_BOOT_INFO_GPA up to PC_BOOT_INFO_END, platform/pc_layout.h), which
 * the memory map reports reserved; each module on a page boundary from modules_at, the first
 * page boundary above both the kernel and 1 MiB; end is one past the last byte of kernel and
 * modules. Sums saturate at UINT64_MAX, so absurd sizes are simply too big. */
struct multiboot_layout {
	uint64_t info_at, info_end, modules_at, end;
};

/* Searches the first MULTIBOOT_SEARCH bytes for a header (3.1.1): magic at a 4-byte aligned
 * offset and a checksum that makes magic + flags + checksum zero. Returns 0 and fills *found, or
 * -ENOENT (with a message in err saying what was seen, e.g. the magic with a wrong checksum). */
int multiboot_find_header(const void *image, size_t size, struct multiboot_image_header *found,
			  struct vmm_error *err);

/* True if the image has a valid header (no other checks). */
bool multiboot_detect(const void *image, size_t size);

/* Loads a multiboot kernel with its boot information and modules: refuses requirement bits
 * minivmm cannot meet (3.1.2), checks the kernel through the a.out-kludge fields (flags bit 16)
 * or else as an ELF32, refuses a kernel in memory the PC reserves below 1 MiB
 * (platform/pc_memory_map.h; limits->reserved_end is the direct boot's and does not apply), a
 * boot information too big for minivmm's boot data area (status VMM_EXIT_USAGE), then checks
 * that kernel and modules fit in RAM, and only then writes anything. A refusal for RAM names the -m
 * that the next run accepts, or, when no -m up to the maximum would do, what to change instead.
 * out->entry is the 32-bit entry point, out->load_end covers the bss; *info_gpa receives the
 * information's address (EBX). */
int multiboot_load_image(struct guest_mem *mem, const struct load_constraints *limits,
			 const void *image, size_t size, const struct multiboot_boot_params *params,
			 struct load_result *out, uint32_t *info_gpa, struct vmm_error *err);

/* ELF32 (EM_386, ET_EXEC) through its PT_LOAD program headers at p_paddr, checked but not
 * written (multiboot_elf32.c); the entry e_entry is translated from the virtual to the physical
 * address of the segment holding it. Where the pieces lie is not looked at:
 * multiboot_load_image() checks that for every kind of kernel. */
int multiboot_elf32_check(const void *image, size_t size, struct multiboot_kernel *kernel,
			  struct vmm_error *err);

/* The layout for a kernel ending at kernel_end (multiboot_info.c). */
void multiboot_info_layout(uint64_t kernel_end, const struct multiboot_boot_params *params,
			   struct multiboot_layout *layout);

/* Writes the boot information, memory map, boot loader name, command line, module list and the
 * modules themselves where layout says (each module read from its file into guest RAM); the
 * caller has checked that layout->end fits in RAM and layout->info_end in the boot data area.
 * *info_gpa receives the structure's address (EBX at entry). A module that cannot be read, or is no
 * longer the size it had, is refused with status VMM_EXIT_NO_GUEST_FILE. */
int multiboot_write_info(struct guest_mem *mem, const struct multiboot_layout *layout,
			 const struct multiboot_boot_params *params, uint32_t *info_gpa,
			 struct vmm_error *err);

#endif
