/* SPDX-License-Identifier: MIT */
/*
 * Writing a snapshot file (snapshot_format.h): the sections are gathered first in a builder,
 * in memory (a few hundred KiB at most), then the file is written in one pass: header, table,
 * sections, and guest RAM at a page-aligned offset, with holes for its zero pages.
 */
#ifndef MINIVMM_SNAPSHOT_WRITER_H
#define MINIVMM_SNAPSHOT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot/snapshot_format.h"
#include "util/vmm_error.h"

struct snapshot_section {
	char name[SNAPSHOT_SECTION_NAME_SIZE];
	void *data;
	size_t size;
};

struct snapshot_builder {
	struct snapshot_section *sections;
	unsigned count, capacity;
};

/* What the header says about the machine, and its RAM. */
struct snapshot_machine {
	char cpu_vendor[12];
	uint32_t vcpu_count;
	uint32_t flags;
	uint32_t features[SNAPSHOT_FEAT_WORDS];
	const void *ram;
	uint64_t ram_size;
};

void snapshot_builder_init(struct snapshot_builder *b);
void snapshot_builder_free(struct snapshot_builder *b);

/* Appends a copy of [data, data + size) as section name (shorter than
 * SNAPSHOT_SECTION_NAME_SIZE, unique). */
int snapshot_builder_add(struct snapshot_builder *b, const char *name, const void *data,
			 size_t size, struct vmm_error *err);

/* Writes the whole file to fd (empty, opened for writing) from its current offset 0. */
int snapshot_write(int fd, const struct snapshot_builder *b, const struct snapshot_machine *m,
		   struct vmm_error *err);

#endif
