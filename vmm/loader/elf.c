/* SPDX-License-Identifier: MIT */
/*
 * ELF64 x86-64 kernel loader, built on libelf (System V gABI "Object Files", x86-64 psABI).
 *
 * The image is untrusted: every header field is read through libelf and every offset, size and
 * address is checked with arithmetic that cannot wrap. All checks run before the first byte is
 * written, so a refused image leaves guest RAM exactly as it was.
 *
 * Load addresses come from p_paddr, the physical address (gABI: "the segment's physical
 * address, for systems in which physical addressing is relevant"). The VMM identity-maps guest
 * memory, so the guest's virtual addresses must equal its physical ones; a segment with
 * p_vaddr != p_paddr is refused rather than loaded somewhere its code does not expect to run.
 *
 * The ELF header is checked first, in elf_header.c; this file reads the program headers, checks
 * the segments and copies them.
 */
#include "loader/loader.h"

#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "loader/elf_header.h"
#include "loader/load_refusal.h"
#include "minivmm/boot_abi.h"

/* A PT_LOAD segment that passed every check, remembered for the copy pass. */
struct load_segment {
	size_t index; /* in the program header table, for messages */
	uint64_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
	bool executable;
};

/* Segment index [paddr, paddr + memsz) lies outside RAM: say so, with the smallest -m (in whole
 * MiB) that holds every segment, ending at all_end, so that the next run does not stop at the
 * next segment; or, beyond the maximum -m, what to change instead. */
static int refuse_outside_ram(const struct guest_mem *mem, size_t index, uint64_t paddr,
			      uint64_t memsz, uint64_t all_end, struct vmm_error *err)
{
	if (all_end > MINIVMM_RAM_MAX)
		return REFUSE_IMAGE(
		    err,
		    "segment %zu [0x%llx, 0x%llx) lies outside the guest's %llu MiB of RAM, and "
		    "the segments reach 0x%llx, beyond minivmm's %llu MiB maximum: link the "
		    "kernel at a lower address",
		    index, ull(paddr), ull(paddr + memsz), ull(mem->size / MIB), ull(all_end),
		    ull(MINIVMM_RAM_MAX / MIB));
	return REFUSE_IMAGE(err,
			    "segment %zu [0x%llx, 0x%llx) lies outside the guest's %llu MiB of "
			    "RAM: give -m %lluM or more",
			    index, ull(paddr), ull(paddr + memsz), ull(mem->size / MIB),
			    ull(ram_mib_to_hold(all_end)));
}

/* One PT_LOAD segment with p_memsz > 0, against the file, the address space and the reserved
 * pages; RAM is checked once all segments are known (collect_load_segments). */
static int check_load_segment(const GElf_Phdr *ph, size_t index, uint64_t reserved_end,
			      size_t file_size, struct vmm_error *err)
{
	/* gABI: "p_filesz may not be larger than p_memsz". */
	if (ph->p_filesz > ph->p_memsz)
		return REFUSE_IMAGE(err,
				    "segment %zu has p_filesz 0x%llx larger than p_memsz 0x%llx: "
				    "the ELF is corrupt; rebuild the kernel",
				    index, ull(ph->p_filesz), ull(ph->p_memsz));
	/* Subtraction, not p_offset + p_filesz, which an image can make wrap. */
	if (ph->p_filesz > 0 &&
	    (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset))
		return REFUSE_IMAGE(err,
				    "segment %zu needs file bytes [0x%llx, +0x%llx) but the file "
				    "has only %zu bytes: it is truncated; copy the kernel again",
				    index, ull(ph->p_offset), ull(ph->p_filesz), file_size);
	uint64_t end;
	if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz, &end))
		return REFUSE_IMAGE(err,
				    "segment %zu at 0x%llx with p_memsz 0x%llx wraps around the "
				    "64-bit address space: the ELF is corrupt",
				    index, ull(ph->p_paddr), ull(ph->p_memsz));
	if (ranges_overlap(ph->p_paddr, ph->p_memsz, 0, reserved_end))
		return REFUSE_IMAGE(
		    err,
		    "segment %zu [0x%llx, 0x%llx) overlaps the VMM's reserved pages "
		    "[0, 0x%llx): link the kernel at 0x%llx or above",
		    index, ull(ph->p_paddr), ull(ph->p_paddr + ph->p_memsz), ull(reserved_end),
		    ull(reserved_end));
	if (ph->p_vaddr != ph->p_paddr)
		return REFUSE_IMAGE(err,
				    "segment %zu has p_vaddr 0x%llx but p_paddr 0x%llx: minivmm "
				    "identity-maps guest memory; link the kernel with virtual "
				    "addresses equal to physical ones",
				    index, ull(ph->p_vaddr), ull(ph->p_paddr));
	return 0;
}

/* The program header table: present, of the ELF64 entry size, and wholly inside the file. */
static int check_program_header_table(const GElf_Ehdr *ehdr, uint64_t phnum, size_t file_size,
				      struct vmm_error *err)
{
	if (phnum == 0)
		return REFUSE_IMAGE(err, "guest ELF has no PT_LOAD segment: there is nothing to "
					 "load; give a linked kernel executable");
	if (ehdr->e_phentsize != sizeof(Elf64_Phdr))
		return REFUSE_IMAGE(err,
				    "guest ELF program headers are %u bytes each, not %zu: the ELF "
				    "is corrupt",
				    ehdr->e_phentsize, sizeof(Elf64_Phdr));
	/* phnum < 2^32 (e_phnum or section 0's 32-bit sh_info) times 56: cannot wrap. */
	uint64_t table_size = phnum * sizeof(Elf64_Phdr);
	if (ehdr->e_phoff > file_size || table_size > file_size - ehdr->e_phoff)
		return REFUSE_IMAGE(err,
				    "guest ELF program headers [0x%llx, +0x%llx) run past the end "
				    "of the %zu-byte file: it is truncated; copy the kernel again",
				    ull(ehdr->e_phoff), ull(table_size), file_size);
	return 0;
}

/* How many program headers there are, once the table is known to lie inside the file. */
static int count_program_headers(Elf *elf, const GElf_Ehdr *ehdr, size_t file_size, size_t *phnum,
				 struct vmm_error *err)
{
	/* Check the table's extent ourselves before libelf reads it: libelf either fails with a
	 * vague message or quietly reports fewer headers than e_phnum declares. With PN_XNUM the
	 * real count lives in section 0 (gABI), so only libelf's count is known. */
	if (ehdr->e_phnum != PN_XNUM) {
		int rc = check_program_header_table(ehdr, ehdr->e_phnum, file_size, err);
		if (rc)
			return rc;
	}
	if (elf_getphdrnum(elf, phnum) != 0)
		return REFUSE_IMAGE(err,
				    "cannot read the guest's program header count (%s): the "
				    "ELF is corrupt",
				    elf_errmsg(-1));
	if (ehdr->e_phnum != PN_XNUM && *phnum != ehdr->e_phnum)
		return REFUSE_IMAGE(err,
				    "libelf sees %zu program headers where the ELF header declares "
				    "%u: the ELF is corrupt",
				    *phnum, ehdr->e_phnum);
	if (*phnum > INT_MAX) /* gelf_getphdr() takes an int index */
		return REFUSE_IMAGE(
		    err, "guest ELF declares %zu program headers: the ELF is corrupt", *phnum);
	return check_program_header_table(ehdr, *phnum, file_size, err);
}

/* Every PT_LOAD segment, checked. Fills *segments (malloc'd) and *count with the ones that
 * have bytes to load. */
static int collect_load_segments(Elf *elf, const GElf_Ehdr *ehdr, const struct guest_mem *mem,
				 uint64_t reserved_end, size_t file_size,
				 struct load_segment **segments, size_t *count,
				 struct vmm_error *err)
{
	size_t phnum;
	*segments = NULL;
	*count = 0;
	int rc = count_program_headers(elf, ehdr, file_size, &phnum, err);
	if (rc)
		return rc;

	struct load_segment *found = calloc(phnum, sizeof *found);
	if (!found)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "out of memory reading %zu program headers", phnum);
	size_t loads = 0, outside = 0; /* outside: how many lie beyond RAM */
	bool any_pt_load = false;
	uint64_t all_end = 0; /* one past the highest byte of every segment */
	GElf_Phdr first_outside = {0};
	size_t first_outside_index = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph)) {
			free(found);
			return REFUSE_IMAGE(err,
					    "cannot read program header %zu (%s): the ELF is "
					    "corrupt",
					    i, elf_errmsg(-1));
		}
		if (ph.p_type != PT_LOAD)
			continue;
		any_pt_load = true;
		if (ph.p_memsz == 0) /* occupies no memory: nothing to place or check */
			continue;
		rc = check_load_segment(&ph, i, reserved_end, file_size, err);
		if (rc) {
			free(found);
			return rc;
		}
		if (ph.p_paddr + ph.p_memsz > all_end) /* cannot wrap: checked above */
			all_end = ph.p_paddr + ph.p_memsz;
		if (!guest_mem_range_ok(mem, ph.p_paddr, ph.p_memsz) && outside++ == 0) {
			first_outside = ph;
			first_outside_index = i;
		}
		found[loads++] = (struct load_segment){
		    .index = i,
		    .paddr = ph.p_paddr,
		    .offset = ph.p_offset,
		    .filesz = ph.p_filesz,
		    .memsz = ph.p_memsz,
		    .executable = (ph.p_flags & PF_X) != 0,
		};
	}
	if (outside) {
		free(found);
		return refuse_outside_ram(mem, first_outside_index, first_outside.p_paddr,
					  first_outside.p_memsz, all_end, err);
	}
	if (loads == 0) {
		free(found);
		return REFUSE_IMAGE(err, any_pt_load
					     ? "guest ELF's PT_LOAD segments are all empty "
					       "(p_memsz 0): there is nothing to load"
					     : "guest ELF has no PT_LOAD segment: there is nothing "
					       "to load; give a linked kernel executable");
	}
	*segments = found;
	*count = loads;
	return 0;
}

static int compare_by_paddr(const void *a, const void *b)
{
	const struct load_segment *x = a, *y = b;
	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Segments are sorted by address and lie inside RAM (no wrap), so if any two overlap then two
 * neighbours do: a linear pass instead of comparing every pair of a hostile header table. */
static int check_segments_disjoint(struct load_segment *segs, size_t count, struct vmm_error *err)
{
	qsort(segs, count, sizeof *segs, compare_by_paddr);
	for (size_t i = 1; i < count; i++) {
		const struct load_segment *a = &segs[i - 1], *b = &segs[i];
		if (ranges_overlap(a->paddr, a->memsz, b->paddr, b->memsz))
			return REFUSE_IMAGE(
			    err,
			    "segments %zu [0x%llx, 0x%llx) and %zu [0x%llx, 0x%llx) "
			    "overlap: fix the kernel's linker script",
			    a->index, ull(a->paddr), ull(a->paddr + a->memsz), b->index,
			    ull(b->paddr), ull(b->paddr + b->memsz));
	}
	return 0;
}

static int check_entry(const struct load_segment *segs, size_t count, uint64_t entry,
		       struct vmm_error *err)
{
	for (size_t i = 0; i < count; i++)
		if (segs[i].executable && entry >= segs[i].paddr &&
		    entry - segs[i].paddr < segs[i].memsz)
			return 0;
	return REFUSE_IMAGE(err,
			    "guest ELF entry point 0x%llx is not inside any executable (PF_X) "
			    "PT_LOAD segment: check ENTRY() and the kernel's linker script",
			    ull(entry));
}

/* Only called once everything has been checked: copies p_filesz bytes and zero-fills the rest of
 * p_memsz (gABI: the extra bytes "are defined to hold the value 0", i.e. .bss), unless RAM is
 * known to be zero there already. */
static int copy_segments(struct guest_mem *mem, const uint8_t *image,
			 const struct load_segment *segs, size_t count, bool ram_is_zero,
			 struct load_result *out, struct vmm_error *err)
{
	out->load_begin = UINT64_MAX;
	out->load_end = 0;
	for (size_t i = 0; i < count; i++) {
		const struct load_segment *s = &segs[i];
		uint8_t *file_part = guest_mem_gpa_to_hva(mem, s->paddr, s->filesz);
		uint8_t *zero_part =
		    guest_mem_gpa_to_hva(mem, s->paddr + s->filesz, s->memsz - s->filesz);
		if (!file_part || !zero_part) /* checked already: this would be a minivmm bug */
			return vmm_error_set(err, -EFAULT, VMM_EXIT_INTERNAL,
					     "segment %zu escaped the loader's RAM check",
					     s->index);
		/* p_offset is only checked when there are file bytes: a bss-only segment may carry
		 * any value, and image + p_offset would be undefined (UBSan, fuzz_elf_loader). */
		if (s->filesz > 0)
			memcpy(file_part, image + s->offset, s->filesz);
		if (!ram_is_zero)
			memset(zero_part, 0, s->memsz - s->filesz);
		if (s->paddr < out->load_begin)
			out->load_begin = s->paddr;
		if (s->paddr + s->memsz > out->load_end)
			out->load_end = s->paddr + s->memsz;
	}
	return 0;
}

int elf_load_image(struct guest_mem *mem, const struct load_constraints *limits, const void *image,
		   size_t size, struct load_result *out, struct vmm_error *err)
{
	if (size == 0 || !image)
		return REFUSE_IMAGE(err, "guest image is empty (0 bytes): give a kernel ELF file");
	int ret = elf_header_libelf_start(err);
	if (ret)
		return ret;

	/* elf_memory() takes a non-const pointer, but an Elf opened this way is read-only: we only
	 * ask it for headers, which libelf converts into its own memory, never into the image. */
	Elf *elf = elf_memory((char *)image, size);
	if (!elf)
		return elf_header_refuse_unparsable(image, size, err);

	const uint64_t reserved_end = limits ? limits->reserved_end : 0;
	struct load_segment *segs = NULL;
	size_t count = 0;
	GElf_Ehdr ehdr;
	int rc = elf_header_check(elf, image, size, &ehdr, err);
	if (!rc)
		rc = collect_load_segments(elf, &ehdr, mem, reserved_end, size, &segs, &count, err);
	if (!rc)
		rc = check_segments_disjoint(segs, count, err);
	if (!rc)
		rc = check_entry(segs, count, ehdr.e_entry, err);
	if (!rc) {
		struct load_result result = {.entry = ehdr.e_entry};
		rc = copy_segments(mem, image, segs, count, limits && limits->ram_is_zero, &result,
				   err);
		if (!rc && out)
			*out = result;
	}
	free(segs);
	elf_end(elf);
	return rc;
}
