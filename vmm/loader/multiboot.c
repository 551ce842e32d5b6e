/*
 * Multiboot v1 header search and the a.out-kludge loader (Multiboot Specification 0.6.96,
 * sections 3.1.1-3.1.3). Every address field is a u32 from an untrusted file; all sums are done
 * in 64 bits, where u32 operands cannot wrap, and every range is checked against the file, RAM
 * and the VMM's reserved pages before one byte is copied.
 */
#include "loader/multiboot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/boot_abi.h"

#define MIB (1ull << 20)

#define REFUSE_IMAGE(err, ...) vmm_error_set((err), -ENOEXEC, VMM_EXIT_GUEST_IMAGE, __VA_ARGS__)

/* Bytes of the header each feature needs: magic/flags/checksum, then the five address fields. */
#define HEADER_BASE_BYTES   12u
#define HEADER_KLUDGE_BYTES 32u

static uint32_t read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
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

/* Outside RAM: the smallest -m in whole MiB that would hold [begin, end). */
static int refuse_kludge_outside_ram(const struct guest_mem *mem, uint64_t begin, uint64_t end,
				     struct vmm_error *err)
{
	if (end > MINIVMM_RAM_MAX)
		return REFUSE_IMAGE(err,
				    "multiboot kernel [0x%llx, 0x%llx) reaches beyond minivmm's "
				    "%llu MiB RAM maximum: link it lower",
				    ull(begin), ull(end), ull(MINIVMM_RAM_MAX / MIB));
	uint64_t need = end / MIB + (end % MIB != 0) + 1; /* + 1 MiB for the boot information */
	return REFUSE_IMAGE(err,
			    "multiboot kernel [0x%llx, 0x%llx) (with its bss) lies outside the "
			    "guest's %llu MiB of RAM: give -m %lluM or more",
			    ull(begin), ull(end), ull(mem->size / MIB), ull(need));
}

/* 3.1.3: the address fields. The file bytes from offset
 * (header offset - (header_addr - load_addr)) map one to one onto [load_addr, load_end_addr);
 * [load_end_addr, bss_end_addr) is zeroed; execution starts at entry_addr. */
static int load_kludge(struct guest_mem *mem, uint64_t reserved_end, bool ram_is_zero,
		       const uint8_t *image, size_t size, const struct multiboot_image_header *h,
		       struct load_result *out, struct vmm_error *err)
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
	if (!guest_mem_range_ok(mem, load_addr, bss_end - load_addr))
		return refuse_kludge_outside_ram(mem, load_addr, bss_end, err);
	if (ranges_overlap(load_addr, bss_end - load_addr, 0, reserved_end))
		return REFUSE_IMAGE(
		    err,
		    "multiboot kernel [0x%llx, 0x%llx) overlaps the VMM's reserved "
		    "pages [0, 0x%llx): link it at 0x%llx or above (1 MiB is usual)",
		    ull(load_addr), ull(bss_end), ull(reserved_end), ull(reserved_end));
	uint8_t *dst = guest_mem_gpa_to_hva(mem, load_addr, bss_end - load_addr);
	memcpy(dst, image + file_start, load_end - load_addr);
	if (!ram_is_zero) /* fresh RAM is zero: writing the bss would only commit host pages */
		memset(dst + (load_end - load_addr), 0, bss_end - load_end);
	*out = (struct load_result){
	    .entry = f->entry_addr, .load_begin = load_addr, .load_end = bss_end};
	return 0;
}

int multiboot_load_image(struct guest_mem *mem, const struct load_constraints *limits,
			 const void *image, size_t size, struct load_result *out,
			 struct vmm_error *err)
{
	struct multiboot_image_header h;
	int rc = multiboot_find_header(image, size, &h, err);
	if (rc)
		return rc == -ENOENT ? -ENOEXEC : rc;
	rc = check_required_flags(h.fields.flags, err);
	if (rc)
		return rc;
	const uint64_t reserved_end = limits ? limits->reserved_end : 0;
	struct load_result result;
	if (h.fields.flags & MULTIBOOT_AOUT_KLUDGE)
		rc = load_kludge(mem, reserved_end, limits && limits->ram_is_zero, image, size, &h,
				 &result, err);
	else
		rc = multiboot_elf32_load(mem, limits, image, size, &result, err);
	if (!rc && out)
		*out = result;
	return rc;
}
