/* SPDX-License-Identifier: MIT */
/*
 * What test_loader_elf.c and test_loader_elf_refusals.c share: ELF images built at test time
 * with libelf from a table of segments, so each test states exactly which header field is wrong,
 * loaded into loader_fixture.h's RAM; and a plausible kernel to start from. Each test program
 * gets its own copy (static).
 */
#ifndef MINIVMM_TEST_ELF_IMAGE_FIXTURE_H
#define MINIVMM_TEST_ELF_IMAGE_FIXTURE_H

#include <check.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader/loader.h"
#include "loader_fixture.h"

struct segment_spec {
	uint32_t type; /* PT_LOAD, PT_NOTE, ... */
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint32_t flags;
	uint8_t fill;	       /* every file byte of the segment */
	uint64_t vaddr_offset; /* p_vaddr = p_paddr + this */
	uint64_t bad_offset;   /* if set, p_offset is this instead of where the bytes are */
};

#define LOAD(paddr, filesz, memsz, flags, fill)                                                    \
	{                                                                                          \
		PT_LOAD, paddr, filesz, memsz, flags, fill, 0, 0                                   \
	}
#define RX (PF_R | PF_X)
#define RW (PF_R | PF_W)

struct elf_spec {
	const struct segment_spec *segments;
	size_t count;
	uint64_t entry;
	int elf_class;	  /* 0: ELFCLASS64 */
	int data;	  /* 0: ELFDATA2LSB */
	unsigned machine; /* 0: EM_X86_64 */
	unsigned type;	  /* 0: ET_EXEC */
};

static inline size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* Lays the file out itself (ELF_F_LAYOUT): ELF header, program headers, section headers, then
 * each segment's bytes as one section. Section headers come before the data so that cutting
 * the file short damages segment data, not the tables libelf needs to open it. */
static inline uint8_t *build_elf(const struct elf_spec *spec, size_t *size_out)
{
	int fd = memfd_create("test-elf", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	Elf *elf = elf_begin(fd, ELF_C_WRITE, NULL);
	ck_assert_ptr_nonnull(elf);
	int elf_class = spec->elf_class ? spec->elf_class : ELFCLASS64;
	ck_assert_ptr_nonnull(gelf_newehdr(elf, elf_class));
	elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);

	size_t with_bytes = 0;
	for (size_t i = 0; i < spec->count; i++)
		with_bytes += spec->segments[i].filesz > 0;
	size_t ehdr_size = gelf_fsize(elf, ELF_T_EHDR, 1, EV_CURRENT);
	size_t phdrs_size = gelf_fsize(elf, ELF_T_PHDR, spec->count, EV_CURRENT);
	size_t shdrs_size = gelf_fsize(elf, ELF_T_SHDR, with_bytes + 1, EV_CURRENT);
	size_t shoff = align_up(ehdr_size + phdrs_size, 8);
	size_t offset = align_up(shoff + shdrs_size, 16);

	if (spec->count)
		ck_assert_ptr_nonnull(gelf_newphdr(elf, spec->count));
	for (size_t i = 0; i < spec->count; i++) {
		const struct segment_spec *s = &spec->segments[i];
		GElf_Phdr ph = {
		    .p_type = s->type,
		    .p_flags = s->flags,
		    .p_paddr = s->paddr,
		    .p_vaddr = s->paddr + s->vaddr_offset,
		    .p_filesz = s->filesz,
		    .p_memsz = s->memsz,
		    .p_align = 1,
		};
		if (s->filesz > 0) {
			Elf_Scn *scn = elf_newscn(elf);
			Elf_Data *data = elf_newdata(scn);
			ck_assert_ptr_nonnull(data);
			data->d_buf = malloc(s->filesz); /* freed after elf_end() below */
			ck_assert_ptr_nonnull(data->d_buf);
			memset(data->d_buf, s->fill, s->filesz);
			data->d_size = s->filesz;
			data->d_type = ELF_T_BYTE;
			data->d_align = 1;
			GElf_Shdr sh;
			ck_assert_ptr_nonnull(gelf_getshdr(scn, &sh));
			sh.sh_type = SHT_PROGBITS;
			sh.sh_flags = SHF_ALLOC;
			sh.sh_addr = s->paddr;
			sh.sh_offset = offset;
			sh.sh_size = s->filesz;
			sh.sh_addralign = 1;
			ck_assert(gelf_update_shdr(scn, &sh));
			ph.p_offset = offset;
			offset += s->filesz;
		}
		if (s->bad_offset)
			ph.p_offset = s->bad_offset;
		ck_assert(gelf_update_phdr(elf, (int)i, &ph));
	}

	GElf_Ehdr eh;
	ck_assert_ptr_nonnull(gelf_getehdr(elf, &eh));
	eh.e_ident[EI_DATA] = spec->data ? spec->data : ELFDATA2LSB;
	eh.e_machine = spec->machine ? spec->machine : EM_X86_64;
	eh.e_type = spec->type ? spec->type : ET_EXEC;
	eh.e_version = EV_CURRENT;
	eh.e_entry = spec->entry;
	eh.e_phoff = spec->count ? ehdr_size : 0;
	eh.e_shoff = shoff;
	ck_assert(gelf_update_ehdr(elf, &eh));
	off_t written = elf_update(elf, ELF_C_WRITE);
	ck_assert_msg(written > 0, "elf_update: %s", elf_errmsg(-1));

	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn))
		for (Elf_Data *d = elf_getdata(scn, NULL); d; d = elf_getdata(scn, d))
			free(d->d_buf);
	elf_end(elf);

	uint8_t *bytes = malloc((size_t)written);
	ck_assert_ptr_nonnull(bytes);
	ck_assert_int_eq(pread(fd, bytes, (size_t)written, 0), written);
	close(fd);
	*size_out = (size_t)written;
	return bytes;
}

/* Builds the ELF, optionally cuts it to keep bytes, and loads it. */
static inline int load_elf_cut(const struct elf_spec *spec, size_t keep, struct load_result *out)
{
	size_t size;
	uint8_t *image = build_elf(spec, &size);
	if (keep && keep < size)
		size = keep;
	int rc = elf_load_image(&mem, &limits, image, size, out, &err);
	free(image);
	return rc;
}

static inline int load_elf(const struct elf_spec *spec, struct load_result *out)
{
	return load_elf_cut(spec, 0, out);
}

#define ELF_OF(entry_, ...)                                                                        \
	(struct elf_spec)                                                                          \
	{                                                                                          \
		.segments = (const struct segment_spec[]){__VA_ARGS__},                            \
		.count = sizeof((const struct segment_spec[]){__VA_ARGS__}) /                      \
			 sizeof(struct segment_spec),                                              \
		.entry = (entry_)                                                                  \
	}

/* A plausible kernel: text at 1 MiB, data plus .bss at 2 MiB. */
static inline struct elf_spec good_kernel(void)
{
	static const struct segment_spec segments[] = {
	    LOAD(0x100000, 0x1234, 0x1234, RX, 0x11),
	    LOAD(0x200000, 0x100, 0x3000, RW, 0x22),
	};
	return (struct elf_spec){.segments = segments, .count = 2, .entry = 0x100010};
}

#endif
