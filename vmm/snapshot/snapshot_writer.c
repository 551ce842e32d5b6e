/* SPDX-License-Identifier: MIT */
#include "snapshot/snapshot_writer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/full_io.h"

void snapshot_builder_init(struct snapshot_builder *b)
{
	memset(b, 0, sizeof *b);
}

void snapshot_builder_free(struct snapshot_builder *b)
{
	for (unsigned i = 0; i < b->count; i++)
		free(b->sections[i].data);
	free(b->sections);
	memset(b, 0, sizeof *b);
}

int snapshot_builder_add(struct snapshot_builder *b, const char *name, const void *data,
			 size_t size, struct vmm_error *err)
{
	if (strlen(name) >= SNAPSHOT_SECTION_NAME_SIZE || b->count == SNAPSHOT_MAX_SECTIONS)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL,
				     "snapshot section '%s': name too long or too many sections",
				     name);
	if (b->count == b->capacity) {
		unsigned capacity = b->capacity ? b->capacity * 2 : 32;
		void *grown = realloc(b->sections, capacity * sizeof *b->sections);
		if (!grown)
			return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
					     "out of memory");
		b->sections = grown;
		b->capacity = capacity;
	}
	void *copy = malloc(size ? size : 1);
	if (!copy)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	memcpy(copy, data, size);
	struct snapshot_section *s = &b->sections[b->count++];
	memset(s->name, 0, sizeof s->name);
	memcpy(s->name, name, strlen(name));
	s->data = copy;
	s->size = size;
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static bool page_is_zero(const uint8_t *page)
{
	static const uint8_t zero[SNAPSHOT_PAGE_SIZE];
	return memcmp(page, zero, SNAPSHOT_PAGE_SIZE) == 0;
}

/* RAM in runs of non-zero pages; zero pages stay holes (ftruncate sizes the file), so an idle
 * guest's untouched RAM costs no disk and is read back as the zero page it was. */
static int write_ram(int fd, const uint8_t *ram, uint64_t size, uint64_t offset)
{
	uint64_t page = 0;
	while (page < size) {
		if (page_is_zero(ram + page)) {
			page += SNAPSHOT_PAGE_SIZE;
			continue;
		}
		uint64_t end = page + SNAPSHOT_PAGE_SIZE;
		while (end < size && end - page < (16u << 20) && !page_is_zero(ram + end))
			end += SNAPSHOT_PAGE_SIZE;
		int ret = pwrite_full(fd, ram + page, end - page, offset + page);
		if (ret)
			return ret;
		page = end;
	}
	return ftruncate(fd, (off_t)(offset + size)) < 0 ? -errno : 0;
}

int snapshot_write(int fd, const struct snapshot_builder *b, const struct snapshot_machine *m,
		   struct vmm_error *err)
{
	size_t table_size = b->count * sizeof(struct snapshot_section_entry);
	struct snapshot_section_entry *table = calloc(b->count ? b->count : 1, sizeof *table);
	if (!table)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	uint64_t offset =
	    align_up(sizeof(struct snapshot_header) + table_size, SNAPSHOT_SECTION_ALIGN);
	for (unsigned i = 0; i < b->count; i++) {
		memcpy(table[i].name, b->sections[i].name, SNAPSHOT_SECTION_NAME_SIZE);
		table[i].offset = offset;
		table[i].size = b->sections[i].size;
		table[i].crc = snapshot_crc32(b->sections[i].data, b->sections[i].size);
		offset = align_up(offset + b->sections[i].size, SNAPSHOT_SECTION_ALIGN);
	}
	struct snapshot_header h = {
	    .version = SNAPSHOT_VERSION,
	    .header_size = sizeof h,
	    .vcpu_count = m->vcpu_count,
	    .ram_size = m->ram_size,
	    .ram_offset = align_up(offset, SNAPSHOT_PAGE_SIZE),
	    .section_count = b->count,
	    .flags = m->flags,
	    .table_crc = snapshot_crc32(table, table_size),
	};
	memcpy(h.magic, SNAPSHOT_MAGIC, SNAPSHOT_MAGIC_SIZE);
	memcpy(h.cpu_vendor, m->cpu_vendor, sizeof h.cpu_vendor);
	memcpy(h.features, m->features, sizeof h.features);
	h.header_crc = snapshot_crc32(&h, offsetof(struct snapshot_header, header_crc));

	int ret = pwrite_full(fd, &h, sizeof h, 0);
	ret = ret ?: pwrite_full(fd, table, table_size, sizeof h);
	for (unsigned i = 0; !ret && i < b->count; i++)
		ret = pwrite_full(fd, b->sections[i].data, b->sections[i].size, table[i].offset);
	free(table);
	ret = ret ?: write_ram(fd, m->ram, m->ram_size, h.ram_offset);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_HOST_RESOURCES,
				     "cannot write the snapshot: %s", strerror(-ret));
	return 0;
}
