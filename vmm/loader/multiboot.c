/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 header search and the a.out-kludge loader (Multiboot Specification 0.6.96,
 * sections 3.1.1-3.1.3). Every address field is a u32 from an untrusted file; all sums are done
 * in 64 bits, where u32 operands cannot wrap, and every range is checked against the file, RAM
 * and the memory the PC reserves (platform/pc_memory_map.h) before one byte is copied. A kernel
 * loads anywhere a PC has conventional or extended memory, from 0x1000 up, as under GRUB. RAM is
 * checked once for the kernel and the modules above it, so a refusal can name the one -m that
 * holds it all, or say that none does.
 */
#include "loader/multiboot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader/load_refusal.h"
#include "minivmm/boot_abi.h"
#include "platform/pc_layout.h"
#include "platform/pc_memory_map.h"

/* Bytes of the header each feature needs: magic/flags/checksum, then the five address fields. */
#define HEADER_BASE_BYTES   12u
#define HEADER_KLUDGE_BYTES 32u

static uint32_t read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int multiboot_find_header(const void *image, size_t size, struct multiboot_image_header *found,
			  struct vmm_error *err)
{
	const uint8_t *bytes = image;
	size_t limit = size < MULTIBOOT_SEARCH ? size : MULTIBOOT_SEARCH;
	long bad_checksum_at = -1;
	for (size_t off = 0; bytes && off + HEADER_BASE_BYTES <= limit;
	     off += MULTIBOOT_HEADER_ALIGN) {
		if (read_u32(bytes + off) != MULTIBOOT_HEADER_MAGIC)
			continue;
		uint32_t flags = read_u32(bytes + off + 4), checksum = read_u32(bytes + off + 8);
		/* 3.1.2: "magic + flags + checksum" is zero as a u32 sum. */
		if ((uint32_t)(MULTIBOOT_HEADER_MAGIC + flags + checksum) != 0) {
			if (bad_checksum_at < 0)
				bad_checksum_at = (long)off;
			continue; /* the magic may occur by chance in code or data: keep looking */
		}
		memset(found, 0, sizeof *found);
		found->offset = off;
		/* Copy as much of the 48-byte header as the file holds; the rest stays zero. */
		size_t have = size - off < sizeof found->fields ? size - off : sizeof found->fields;
		uint32_t words[sizeof found->fields / 4] = {0};
		for (size_t i = 0; i < have / 4; i++)
			words[i] = read_u32(bytes + off + 4 * i);
		memcpy(&found->fields, words, sizeof words);
		return 0;
	}
	if (bad_checksum_at >= 0)
		return vmm_error_set(err, -ENOENT, VMM_EXIT_GUEST_IMAGE,
				     "multiboot magic 0x%08x at offset 0x%lx has a wrong checksum "
				     "(magic + flags + checksum must be 0 mod 2^32, Multiboot "
				     "spec 3.1.2): fix the kernel's header",
				     MULTIBOOT_HEADER_MAGIC, (unsigned long)bad_checksum_at);
	return vmm_error_set(err, -ENOENT, VMM_EXIT_GUEST_IMAGE,
			     "no multiboot header (magic 0x%08x, 4-byte aligned) in the first %d "
			     "bytes: not a multiboot kernel",
			     MULTIBOOT_HEADER_MAGIC, MULTIBOOT_SEARCH);
}

bool multiboot_detect(const void *image, size_t size)
{
	struct multiboot_image_header h;
	struct vmm_error ignored;
	return multiboot_find_header(image, size, &h, &ignored) == 0;
}

/* 3.1.2: bits 0-15 are requirements. minivmm meets bit 0 (modules are always page aligned) and
 * bit 1 (mem_* and the memory map are always given); it has no display, so it cannot give the
 * video mode table of bit 2, and bits 3-15 are undefined. Bits 16-31 are optional. */
static int check_required_flags(uint32_t flags, struct vmm_error *err)
{
	uint32_t unmet =
	    flags & MULTIBOOT_REQUIRED & ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);
	if (unmet & MULTIBOOT_VIDEO_MODE)
		return REFUSE_IMAGE(err,
				    "multiboot header requires a video mode (flags bit 2): minivmm "
				    "has no display and cannot meet it (Multiboot spec 3.1.2); "
				    "clear the bit and use the serial console");
	if (unmet)
		return REFUSE_IMAGE(err,
				    "multiboot header sets requirement flags 0x%04x that the "
				    "Multiboot 0.6.96 specification does not define (bits 3-15): "
				    "minivmm must refuse them (spec 3.1.2)",
				    unmet);
	return 0;
}

/* 3.1.3: the address fields. The file bytes from offset
 * (header offset - (header_addr - load_addr)) map one to one onto [load_addr, load_end_addr);
 * [load_end_addr, bss_end_addr) is zero; execution starts at entry_addr. All checked here
 * but RAM, one piece in *k. */
static int check_kludge(const uint8_t *image, size_t size, const struct multiboot_image_header *h,
			struct multiboot_kernel *k, struct vmm_error *err)
{
	const struct multiboot_header *f = &h->fields;
	if (size - h->offset < HEADER_KLUDGE_BYTES)
		return REFUSE_IMAGE(err,
				    "multiboot header sets flags bit 16 (a.out kludge) but the "
				    "file ends before its address fields: it is truncated");
	uint64_t header_addr = f->header_addr, load_addr = f->load_addr;
	if (header_addr < load_addr || header_addr - load_addr > h->offset)
		return REFUSE_IMAGE(err,
				    "multiboot header_addr 0x%llx and load_addr 0x%llx put the "
				    "load start %s the file (header at offset 0x%zx): fix the "
				    "header's address fields",
				    ull(header_addr), ull(load_addr),
				    header_addr < load_addr ? "after the header, outside"
							    : "before the start of",
				    h->offset);
	uint64_t file_start = h->offset - (header_addr - load_addr);
	uint64_t file_bytes = size - file_start;
	uint64_t load_end = f->load_end_addr ? f->load_end_addr : load_addr + file_bytes;
	if (load_end < load_addr + HEADER_KLUDGE_BYTES + (header_addr - load_addr) ||
	    load_end - load_addr > file_bytes)
		return REFUSE_IMAGE(err,
				    "multiboot load_end_addr 0x%llx does not fit: the header must "
				    "lie inside [load_addr 0x%llx, load_end_addr) and the file "
				    "holds only 0x%llx bytes from load_addr",
				    ull(load_end), ull(load_addr), ull(file_bytes));
	uint64_t bss_end = f->bss_end_addr ? f->bss_end_addr : load_end;
	if (bss_end < load_end)
		return REFUSE_IMAGE(
		    err,
		    "multiboot bss_end_addr 0x%llx lies below load_end_addr 0x%llx: "
		    "fix the header's address fields",
		    ull(bss_end), ull(load_end));
	if (f->entry_addr < load_addr || f->entry_addr >= load_end)
		return REFUSE_IMAGE(err,
				    "multiboot entry_addr 0x%llx lies outside the loaded bytes "
				    "[0x%llx, 0x%llx): fix the header's entry_addr",
				    ull(f->entry_addr), ull(load_addr), ull(load_end));
	k->pieces[0] = (struct multiboot_piece){.gpa = load_addr,
						.bytes = image + file_start,
						.filesz = load_end - load_addr,
						.memsz = bss_end - load_addr};
	k->count = 1;
	k->entry = f->entry_addr;
	k->begin = load_addr;
	k->end = bss_end;
	return 0;
}

/* A kernel loads from 0x1000 up, but not over what minivmm writes below 1 MiB (the IVT/BDA
 * page, EBDA, boot information, firmware tables); above 1 MiB, RAM is check_fits_in_ram()'s. */
static int check_not_reserved(const struct multiboot_kernel *k, struct vmm_error *err)
{
	for (size_t i = 0; i < k->count; i++) {
		const struct multiboot_piece *p = &k->pieces[i];
		/* u32 fields: gpa + memsz cannot wrap in 64 bits. */
		const struct pc_memory_range *r = pc_memory_written_overlap(p->gpa, p->memsz);
		if (r)
			return REFUSE_IMAGE(err,
					    "multiboot kernel piece [0x%llx, 0x%llx) overlaps "
					    "[0x%llx, 0x%llx), %s, which the PC reserves: link it "
					    "in [0x%llx, 0x%llx) or at 1 MiB or above",
					    ull(p->gpa), ull(p->gpa + p->memsz), ull(r->base),
					    ull(r->end), r->what, ull(PC_LOW_RESERVED_END),
					    ull(PC_EBDA_BASE));
	}
	return 0;
}

/* The boot information lives in minivmm's boot data area, whose size does not depend on -m: a
 * command line or module list too long for it is the user's to shorten. */
static int check_info_fits(const struct multiboot_boot_params *p, const struct multiboot_layout *l,
			   struct vmm_error *err)
{
	if (l->info_end <= PC_BOOT_INFO_END)
		return 0;
	return vmm_error_set(err, -E2BIG, VMM_EXIT_USAGE,
			     "the multiboot information (command line, %zu module string(s)) "
			     "needs %llu bytes but minivmm's boot data area [0x%llx, 0x%llx) "
			     "holds %llu: shorten --cmdline or the --module strings",
			     p->module_count, ull(l->info_end - l->info_at), ull(l->info_at),
			     ull(PC_BOOT_INFO_END), ull(PC_BOOT_INFO_END - l->info_at));
}

/* Kernel, boot information and modules against RAM, with advice the next run accepts: the
 * smallest -m that holds all of it, or, beyond the maximum -m, what else to change. */
static int check_fits_in_ram(const struct guest_mem *mem, const struct multiboot_kernel *k,
			     const struct multiboot_boot_params *p,
			     const struct multiboot_layout *l, struct vmm_error *err)
{
	if (k->end > MINIVMM_RAM_MAX)
		return REFUSE_IMAGE(err,
				    "multiboot kernel [0x%llx, 0x%llx) reaches beyond minivmm's "
				    "%llu MiB maximum of guest RAM, so no -m can hold it: link the "
				    "kernel lower or shrink its bss",
				    ull(k->begin), ull(k->end), ull(MINIVMM_RAM_MAX / MIB));
	if (l->end > MINIVMM_RAM_MAX) {
		uint64_t total = 0;
		for (size_t i = 0; i < p->module_count; i++)
			if (__builtin_add_overflow(total, (uint64_t)p->modules[i].size, &total))
				total = UINT64_MAX;
		return vmm_error_set(err, -E2BIG, VMM_EXIT_USAGE,
				     "%zu module(s) of %llu MiB in all do not fit in guest RAM "
				     "from 0x%llx, above the multiboot kernel, even at minivmm's "
				     "%llu MiB maximum: give smaller or fewer modules",
				     p->module_count, ull(total / MIB + (total % MIB != 0)),
				     ull(l->modules_at), ull(MINIVMM_RAM_MAX / MIB));
	}
	if (l->end <= mem->size)
		return 0;
	if (k->end > mem->size)
		return REFUSE_IMAGE(err,
				    "multiboot kernel [0x%llx, 0x%llx) (with its bss) lies outside "
				    "the guest's %llu MiB of RAM: give -m %lluM or more",
				    ull(k->begin), ull(k->end), ull(mem->size / MIB),
				    ull(ram_mib_to_hold(l->end)));
	return vmm_error_set(err, -ENOMEM, VMM_EXIT_USAGE,
			     "the multiboot kernel and its modules need %llu KiB of RAM but the "
			     "guest has %llu MiB: give -m %lluM or more",
			     ull(l->end / 1024 + (l->end % 1024 != 0)), ull(mem->size / MIB),
			     ull(ram_mib_to_hold(l->end)));
}

/* Only once everything is checked: file bytes, then zeros unless RAM is zero already. */
static void write_kernel(struct guest_mem *mem, const struct multiboot_kernel *k, bool ram_is_zero)
{
	for (size_t i = 0; i < k->count; i++) {
		const struct multiboot_piece *piece = &k->pieces[i];
		uint8_t *dst = guest_mem_gpa_to_hva(mem, piece->gpa, piece->memsz);
		if (piece->filesz)
			memcpy(dst, piece->bytes, piece->filesz);
		if (!ram_is_zero) /* fresh RAM is zero: writing the bss would only commit pages */
			memset(dst + piece->filesz, 0, piece->memsz - piece->filesz);
	}
}

int multiboot_load_image(struct guest_mem *mem, const struct load_constraints *limits,
			 const void *image, size_t size, const struct multiboot_boot_params *params,
			 struct load_result *out, uint32_t *info_gpa, struct vmm_error *err)
{
	struct multiboot_image_header h;
	int rc = multiboot_find_header(image, size, &h, err);
	if (rc)
		return rc == -ENOENT ? -ENOEXEC : rc;
	rc = check_required_flags(h.fields.flags, err);
	if (rc)
		return rc;
	if (params->module_count > MULTIBOOT_MAX_MODULES)
		return vmm_error_set(err, -E2BIG, VMM_EXIT_USAGE,
				     "%zu --module options: at most %d are allowed",
				     params->module_count, MULTIBOOT_MAX_MODULES);
	struct multiboot_kernel kernel;
	if (h.fields.flags & MULTIBOOT_AOUT_KLUDGE)
		rc = check_kludge(image, size, &h, &kernel, err);
	else
		rc = multiboot_elf32_check(image, size, &kernel, err);
	rc = rc ?: check_not_reserved(&kernel, err);
	if (rc)
		return rc;
	struct multiboot_layout layout;
	multiboot_info_layout(kernel.end, params, &layout);
	rc = check_info_fits(params, &layout, err);
	rc = rc ?: check_fits_in_ram(mem, &kernel, params, &layout, err);
	if (rc)
		return rc;
	/* Everything checked: the first byte is written here. */
	write_kernel(mem, &kernel, limits && limits->ram_is_zero);
	rc = multiboot_write_info(mem, &layout, params, info_gpa, err);
	if (!rc && out)
		*out = (struct load_result){
		    .entry = kernel.entry, .load_begin = kernel.begin, .load_end = kernel.end};
	return rc;
}
