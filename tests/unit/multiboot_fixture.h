/* SPDX-License-Identifier: MIT */
/*
 * What test_multiboot_load.c and test_multiboot_info.c share: guest RAM as a buffer pre-filled
 * with 0xAA (so zeroed bss is visible), an image built in memory byte by byte, the multiboot
 * header writer, a kludge kernel and an ELF32 kernel, and the load and refusal helpers. Each test
 * program gets its own copy (static): include it once, in the .c of the tests.
 */
#ifndef MINIVMM_TEST_MULTIBOOT_FIXTURE_H
#define MINIVMM_TEST_MULTIBOOT_FIXTURE_H

#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "loader/multiboot.h"
#include "minivmm/boot_abi.h"

#define RAM_SIZE (8u << 20)
#define KBASE	 0x100000u

static uint8_t *ram;
static struct guest_mem mem;
static struct vmm_error err;
static const struct load_constraints limits = {.reserved_end = MINIVMM_RESERVED_END};
static uint8_t image[16384];

static inline void setup(void)
{
	ram = malloc(RAM_SIZE);
	memset(ram, 0xAA, RAM_SIZE);
	guest_mem_wrap(&mem, ram, RAM_SIZE);
	memset(image, 0x90, sizeof image);
	memset(&err, 0, sizeof err);
}

static inline void teardown(void)
{
	free(ram);
}

static inline void put_header(size_t offset, uint32_t flags, const uint32_t kludge[5])
{
	uint32_t words[8] = {MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags)};
	if (kludge)
		memcpy(&words[3], kludge, 5 * sizeof(uint32_t));
	memcpy(image + offset, words, kludge ? sizeof words : 12);
}

/* A kludge kernel: header at file offset 0x40 of `size` bytes loaded at KBASE, bss_len more. */
static inline size_t kludge_image(uint32_t bss_len)
{
	const uint32_t size = 0x3000;
	for (uint32_t i = 0; i < size; i++)
		image[i] = (uint8_t)(i * 7);
	uint32_t k[5] = {KBASE + 0x40, KBASE, KBASE + size, KBASE + size + bss_len, KBASE + 0x100};
	put_header(0x40, MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE, k);
	return size;
}

static const struct multiboot_boot_params no_params;
static uint32_t info_at;

/* multiboot_load_image() with no command line and no modules. */
static inline int load(const struct load_constraints *with, size_t size, struct load_result *r)
{
	return multiboot_load_image(&mem, with, image, size, &no_params, r, &info_at, &err);
}

static inline void assert_refused(int rc, const char *needle)
{
	ck_assert_int_ne(rc, 0);
	ck_assert_msg(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
}

/* Rewrites one kludge field (index 0 = header_addr ... 4 = entry_addr) with a fresh checksum. */
static inline void set_kludge_field(int index, uint32_t value)
{
	memcpy(image + 0x40 + 12 + 4 * index, &value, 4);
}

/* An ELF32 higher-half kernel: one PT_LOAD, vaddr 0xc0100000, paddr 1 MiB, with a bss. */
static inline size_t elf32_image(uint16_t machine, uint8_t elf_class)
{
	memset(image, 0, sizeof image);
	Elf32_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = machine,
			 .e_version = EV_CURRENT,
			 .e_entry = 0xc0100010,
			 .e_phoff = sizeof eh,
			 .e_ehsize = sizeof eh,
			 .e_phentsize = sizeof(Elf32_Phdr),
			 .e_phnum = 1};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = elf_class;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	Elf32_Phdr ph = {.p_type = PT_LOAD,
			 .p_offset = 0x1000,
			 .p_vaddr = 0xc0100000,
			 .p_paddr = KBASE,
			 .p_filesz = 0x1000,
			 .p_memsz = 0x3000,
			 .p_flags = PF_R | PF_X,
			 .p_align = 0x1000};
	memcpy(image, &eh, sizeof eh);
	memcpy(image + sizeof eh, &ph, sizeof ph);
	memset(image + 0x1000, 0x5a, 0x1000);
	put_header(0x1000, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO, NULL);
	return 0x2000;
}

#endif
