/* SPDX-License-Identifier: MIT */
/*
 * The ELF header's checks (elf_header.c), for the ELF64 loader (elf.c): every refusal has status
 * VMM_EXIT_GUEST_IMAGE and errno ENOEXEC, as the loader's own; and libelf's start, for it and
 * the Multiboot ELF32 loader (multiboot_elf32.c).
 */
#ifndef MINIVMM_LOADER_ELF_HEADER_H
#define MINIVMM_LOADER_ELF_HEADER_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vmm_error.h"

/* libelf refuses every call until elf_version() has been told which ELF version we speak: does
 * so once per process; 0, or an internal error if this libelf cannot. */
int elf_header_libelf_start(struct vmm_error *err);

/* The refusal of an image libelf cannot open as an ELF (elf_memory() failed, or elf_kind() is
 * not ELF_K_ELF), saying whether it is a truncated ELF, a damaged one or no ELF at all. */
int elf_header_refuse_unparsable(const uint8_t *image, size_t size, struct vmm_error *err);

/* Reads the ELF header of elf, opened on image[0, size), into *ehdr; 0 if it is an ELF64
 * little-endian EM_X86_64 ET_EXEC, else a refusal. */
int elf_header_check(Elf *elf, const uint8_t *image, size_t size, GElf_Ehdr *ehdr,
		     struct vmm_error *err);

#endif
