/* SPDX-License-Identifier: MIT */
/*
 * ELF32 multiboot kernels (Multiboot Specification 0.6.96, 3.1: a kernel without flags bit 16
 * must be ELF; System V gABI "Program Header"): PT_LOAD segments go to their physical addresses
 * (p_paddr), the rest of p_memsz is zeroed, and the entry point e_entry, a virtual address, is
 * translated through the segment that holds it. Higher-half kernels (p_vaddr != p_paddr) load.
 *
 * The file is untrusted: the header table's extent, each segment's file bytes and overlaps
 * between segments are all checked here, and where the segments lie (the PC's reserved memory,
 * RAM) by multiboot_load_image() for every kind of kernel, before anything is copied.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "loader/elf_header.h"
#include "loader/load_refusal.h"
#include "loader/multiboot.h"

struct segment32 {
	uint64_t paddr, vaddr, offset, filesz, memsz;
};

static int check_header(Elf *elf, GElf_Ehdr *ehdr, struct vmm_error *err)
{
	if (elf_kind(elf) != ELF_K_ELF)
		return REFUSE_IMAGE(err,
				    "multiboot kernel without flags bit 16 (a.out kludge) must "
				    "be an ELF file (Multiboot spec 3.1), and this is not");
	if (gelf_getclass(elf) != ELFCLASS32)
		return REFUSE_IMAGE(err,
				    "multiboot kernel is an ELF64 without the a.out kludge (flags "
				    "bit 16): the specification loads ELF32 only; set bit 16 with "
				    "the address fields, or boot it with --boot direct64");
	if (!gelf_getehdr(elf, ehdr))
		return REFUSE_IMAGE(err, "cannot read the ELF32 header (%s): the file is corrupt",
				    elf_errmsg(-1));
	if (ehdr->e_ident[EI_DATA] != ELFDATA2LSB || ehdr->e_machine != EM_386)
		return REFUSE_IMAGE(err, "multiboot ELF32 kernel is not little-endian EM_386 "
					 "(i386): build it for 32-bit x86");
	if (ehdr->e_type != ET_EXEC)
		return REFUSE_IMAGE(err, "multiboot ELF32 kernel is not ET_EXEC: link an "
					 "executable (-static -no-pie)");
	return 0;
}

static int check_segment(const GElf_Phdr *ph, size_t index, size_t file_size, struct vmm_error *err)
{
	if (ph->p_filesz > ph->p_memsz)
		return REFUSE_IMAGE(err,
				    "segment %zu has p_filesz 0x%llx > p_memsz 0x%llx: corrupt",
				    index, ull(ph->p_filesz), ull(ph->p_memsz));
	if (ph->p_filesz && (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset))
		return REFUSE_IMAGE(err,
				    "segment %zu needs file bytes [0x%llx, +0x%llx) but the file "
				    "has %zu: it is truncated",
				    index, ull(ph->p_offset), ull(ph->p_filesz), file_size);
	/* ELF32 fields are u32, so paddr + memsz cannot wrap in 64 bits. Where the segment lies
	 * (reserved memory, RAM) is checked by the caller for every kind of kernel. */
	return 0;
}

static int collect(Elf *elf, const GElf_Ehdr *ehdr, size_t file_size, struct segment32 *segs,
		   size_t *count, struct vmm_error *err)
{
	size_t phnum;
	if (ehdr->e_phentsize != sizeof(Elf32_Phdr) || elf_getphdrnum(elf, &phnum) != 0 ||
	    ehdr->e_phoff > file_size || phnum * sizeof(Elf32_Phdr) > file_size - ehdr->e_phoff)
		return REFUSE_IMAGE(err, "ELF32 program header table is missing, malformed or "
					 "outside the file: the kernel is corrupt");
	*count = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			return REFUSE_IMAGE(err, "cannot read program header %zu (%s)", i,
					    elf_errmsg(-1));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (*count == MULTIBOOT_MAX_PIECES)
			return REFUSE_IMAGE(err, "ELF32 kernel has more than %d PT_LOAD segments",
					    MULTIBOOT_MAX_PIECES);
		int rc = check_segment(&ph, i, file_size, err);
		if (rc)
			return rc;
		for (size_t j = 0; j < *count; j++)
			if (ranges_overlap(ph.p_paddr, ph.p_memsz, segs[j].paddr, segs[j].memsz))
				return REFUSE_IMAGE(err,
						    "ELF32 segments overlap at physical 0x%llx: "
						    "fix the linker script",
						    ull(ph.p_paddr));
		segs[(*count)++] = (struct segment32){ph.p_paddr, ph.p_vaddr, ph.p_offset,
						      ph.p_filesz, ph.p_memsz};
	}
	if (*count == 0)
		return REFUSE_IMAGE(err, "ELF32 kernel has no non-empty PT_LOAD segment");
	return 0;
}

/* e_entry is a virtual address; the CPU starts with paging off, so it runs at the physical
 * address of the same byte. */
static int physical_entry(const struct segment32 *segs, size_t count, uint64_t entry,
			  uint64_t *paddr, struct vmm_error *err)
{
	for (size_t i = 0; i < count; i++)
		if (entry >= segs[i].vaddr && entry - segs[i].vaddr < segs[i].memsz) {
			*paddr = segs[i].paddr + (entry - segs[i].vaddr);
			return 0;
		}
	return REFUSE_IMAGE(err, "ELF32 entry point 0x%llx lies in no PT_LOAD segment", ull(entry));
}

int multiboot_elf32_check(const void *image, size_t size, struct multiboot_kernel *kernel,
			  struct vmm_error *err)
{
	int ret = elf_header_libelf_start(err);
	if (ret)
		return ret;
	Elf *elf = elf_memory((char *)image, size);
	if (!elf)
		return REFUSE_IMAGE(err, "multiboot kernel without flags bit 16 (a.out kludge) is "
					 "not a readable ELF file (Multiboot spec 3.1)");
	struct segment32 segs[MULTIBOOT_MAX_PIECES];
	size_t count = 0;
	GElf_Ehdr ehdr;
	uint64_t entry = 0;
	int rc = check_header(elf, &ehdr, err);
	rc = rc ?: collect(elf, &ehdr, size, segs, &count, err);
	rc = rc ?: physical_entry(segs, count, ehdr.e_entry, &entry, err);
	if (!rc) {
		*kernel = (struct multiboot_kernel){
		    .count = count, .entry = entry, .begin = UINT64_MAX, .end = 0};
		for (size_t i = 0; i < count; i++) {
			kernel->pieces[i] = (struct multiboot_piece){
			    .gpa = segs[i].paddr,
			    .bytes = (const uint8_t *)image + segs[i].offset,
			    .filesz = segs[i].filesz,
			    .memsz = segs[i].memsz,
			};
			if (segs[i].paddr < kernel->begin)
				kernel->begin = segs[i].paddr;
			if (segs[i].paddr + segs[i].memsz > kernel->end)
				kernel->end = segs[i].paddr + segs[i].memsz;
		}
	}
	elf_end(elf);
	return rc;
}
