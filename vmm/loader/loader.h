/* SPDX-License-Identifier: MIT */
/*
 * Guest image loaders. Each copies an image into guest RAM and reports its entry point. An image
 * is untrusted: every offset, size and address in it is checked before use, and every problem is
 * reported as one line in err (status VMM_EXIT_GUEST_IMAGE, or VMM_EXIT_NO_GUEST_FILE if the file
 * cannot be opened).
 */
#ifndef MINIVMM_LOADER_H
#define MINIVMM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/guest_mem.h"
#include "util/vmm_error.h"

struct load_result {
	uint64_t entry;	     /* guest-physical (= virtual: the VMM identity-maps) entry point */
	uint64_t load_begin; /* lowest guest-physical byte written */
	uint64_t load_end;   /* one past the highest */
};

/* Guest-physical [0, reserved_end) belongs to the VMM (boot info, GDT, page tables, stack). */
struct load_constraints {
	uint64_t reserved_end;
	/* Every byte of RAM above reserved_end is still zero, as mmap gave it (the first load into
	 * fresh anonymous memory): the loaders then skip zero-filling a bss, which would only make
	 * the host commit pages the guest may never touch (3 GiB resident for a 3 GiB bss). False
	 * (the default) when RAM may hold anything, e.g. on a reboot or in a reused buffer. */
	bool ram_is_zero;
};

/* ELF64 x86-64 executable (ET_EXEC) from memory, through libelf: PT_LOAD segments are copied and
 * the rest of p_memsz zero-filled (unless limits->ram_is_zero). Refused: not ELF, not
 * ELFCLASS64/EM_X86_64/ET_EXEC, truncated, p_filesz > p_memsz, a segment outside RAM or overlapping
 * the reserved pages or another segment, no PT_LOAD, an entry outside every executable segment. */
int elf_load_image(struct guest_mem *mem, const struct load_constraints *limits, const void *image,
		   size_t size, struct load_result *out, struct vmm_error *err);

/* A flat binary copied to load_addr; the entry is load_addr. */
int flat_load_image(struct guest_mem *mem, const struct load_constraints *limits, const void *image,
		    size_t size, uint64_t load_addr, struct load_result *out,
		    struct vmm_error *err);

/* Reads a whole file into a malloc'd buffer (guest images are small). */
int load_file(const char *path, void **data, size_t *size, struct vmm_error *err);

/* Opens a regular file read-only (close-on-exec) and gives its size from fstat, reading nothing:
 * what names it in messages ("guest", "--module file"). A missing, unreadable or special file is
 * refused with status VMM_EXIT_NO_GUEST_FILE. */
int loader_open_file(const char *path, const char *what, int *fd, uint64_t *size,
		     struct vmm_error *err);

#endif
