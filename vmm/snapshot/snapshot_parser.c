/* SPDX-License-Identifier: MIT */
#include "snapshot/snapshot_parser.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "minivmm/boot_abi.h"

#define BAD(err, ...)                                                                              \
	vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE, "bad snapshot: " __VA_ARGS__)

int snapshot_parse_header(const void *buf, size_t len, uint64_t file_size,
			  struct snapshot_header *out, struct vmm_error *err)
{
	struct snapshot_header h;
	if (len < sizeof h)
		return BAD(err, "%zu bytes is shorter than a snapshot header (%zu): truncated file",
			   len, sizeof h);
	memcpy(&h, buf, sizeof h);
	if (memcmp(h.magic, SNAPSHOT_MAGIC, SNAPSHOT_MAGIC_SIZE) != 0)
		return BAD(err, "no snapshot magic: not a file minivmm wrote");
	if (h.version != SNAPSHOT_VERSION)
		return BAD(err,
			   "format version %u, this minivmm reads version %u: restore it with "
			   "the minivmm that wrote it",
			   h.version, SNAPSHOT_VERSION);
	if (h.header_size != sizeof h)
		return BAD(err, "header size %u, expected %zu", h.header_size, sizeof h);
	if (snapshot_crc32(&h, offsetof(struct snapshot_header, header_crc)) != h.header_crc)
		return BAD(err, "header checksum mismatch: the file is damaged");
	if (h.flags & ~SNAPSHOT_FLAGS_KNOWN || h.reserved)
		return BAD(err, "unknown flags 0x%x in the header", h.flags);
	if (h.vcpu_count < 1 || h.vcpu_count > SNAPSHOT_MAX_VCPUS)
		return BAD(err, "%u vCPUs (1 to %u are possible)", h.vcpu_count,
			   SNAPSHOT_MAX_VCPUS);
	if (h.ram_size < MINIVMM_RAM_MIN || h.ram_size > MINIVMM_RAM_MAX ||
	    h.ram_size % SNAPSHOT_PAGE_SIZE)
		return BAD(err, "RAM size %llu is not a whole number of pages from 2M to 3G",
			   (unsigned long long)h.ram_size);
	if (h.section_count > SNAPSHOT_MAX_SECTIONS)
		return BAD(err, "%u sections (at most %u)", h.section_count, SNAPSHOT_MAX_SECTIONS);
	uint64_t table_end =
	    sizeof h + (uint64_t)h.section_count * sizeof(struct snapshot_section_entry);
	if (h.ram_offset % SNAPSHOT_PAGE_SIZE || h.ram_offset < table_end ||
	    h.ram_offset > SNAPSHOT_MAX_STATE)
		return BAD(err,
			   "RAM offset %llu is not a page boundary after the section table "
			   "within %u MiB",
			   (unsigned long long)h.ram_offset, SNAPSHOT_MAX_STATE >> 20);
	if (file_size < h.ram_offset || file_size - h.ram_offset != h.ram_size)
		return BAD(err,
			   "the file has %llu bytes, the header says %llu: truncated or "
			   "padded file",
			   (unsigned long long)file_size,
			   (unsigned long long)(h.ram_offset + h.ram_size));
	*out = h;
	return 0;
}

/* A name is NUL-terminated, NUL-padded, and made of [a-z0-9._-]. */
static bool name_ok(const char *name)
{
	size_t n = strnlen(name, SNAPSHOT_SECTION_NAME_SIZE);
	if (n == 0 || n == SNAPSHOT_SECTION_NAME_SIZE)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	for (size_t i = n; i < SNAPSHOT_SECTION_NAME_SIZE; i++)
		if (name[i])
			return false;
	return true;
}

int snapshot_parse(const void *buf, size_t len, uint64_t file_size, struct snapshot_view *view,
		   struct vmm_error *err)
{
	struct snapshot_header h;
	int ret = snapshot_parse_header(buf, len, file_size, &h, err);
	if (ret)
		return ret;
	if (len < h.ram_offset)
		return BAD(err,
			   "only %zu of the %llu bytes before RAM could be read: truncated "
			   "file",
			   len, (unsigned long long)h.ram_offset);
	const uint8_t *base = buf;
	const struct snapshot_section_entry *table = (const void *)(base + sizeof h);
	uint64_t table_size = (uint64_t)h.section_count * sizeof *table;
	if (snapshot_crc32(table, table_size) != h.table_crc)
		return BAD(err, "section table checksum mismatch: the file is damaged");
	uint64_t end = sizeof h + table_size; /* sections come after the table, in order */
	for (uint32_t i = 0; i < h.section_count; i++) {
		struct snapshot_section_entry e;
		memcpy(&e, &table[i],
		       sizeof e); /* the table may sit unaligned in a fuzzer's buffer */
		if (!name_ok(e.name))
			return BAD(err, "section %u has a malformed name", i);
		if (e.reserved || e.offset % SNAPSHOT_SECTION_ALIGN || e.offset < end ||
		    e.offset > h.ram_offset || e.size > h.ram_offset - e.offset)
			return BAD(err,
				   "section '%s' (offset %llu, %llu bytes) does not fit before "
				   "RAM after the sections before it",
				   e.name, (unsigned long long)e.offset,
				   (unsigned long long)e.size);
		for (uint32_t j = 0; j < i; j++)
			if (strncmp(table[j].name, e.name, SNAPSHOT_SECTION_NAME_SIZE) == 0)
				return BAD(err, "section '%s' appears twice", e.name);
		if (snapshot_crc32(base + e.offset, e.size) != e.crc)
			return BAD(err, "section '%s' checksum mismatch: the file is damaged",
				   e.name);
		end = e.offset + e.size;
	}
	view->header = h;
	view->table = table;
	view->base = base;
	return 0;
}

const void *snapshot_section(const struct snapshot_view *view, const char *name, size_t *size)
{
	for (uint32_t i = 0; i < view->header.section_count; i++) {
		struct snapshot_section_entry e;
		memcpy(&e, &view->table[i], sizeof e);
		if (strncmp(e.name, name, SNAPSHOT_SECTION_NAME_SIZE) == 0) {
			*size = (size_t)e.size;
			return view->base + e.offset;
		}
	}
	*size = 0;
	return NULL;
}

int snapshot_section_exact(const struct snapshot_view *view, const char *name, void *out,
			   size_t size, struct vmm_error *err)
{
	size_t have;
	const void *data = snapshot_section(view, name, &have);
	if (!data)
		return BAD(err, "no section '%s'", name);
	if (have != size)
		return BAD(err, "section '%s' has %zu bytes, this minivmm expects %zu", name, have,
			   size);
	memcpy(out, data, size);
	return 0;
}
