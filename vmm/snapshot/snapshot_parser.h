/* SPDX-License-Identifier: MIT */
/*
 * The strict reader of a snapshot file's state (snapshot_format.h): everything before RAM.
 * A file is read in two steps, so nothing is read before its size is known to be sane: the
 * header alone, then the ram_offset bytes it announces (at most SNAPSHOT_MAX_STATE), which
 * snapshot_parse() checks whole: every CRC, every offset and size (overflow-safe), every name.
 * A snapshot that fails any check is refused with VMM_EXIT_GUEST_IMAGE (65) and one line.
 */
#ifndef MINIVMM_SNAPSHOT_PARSER_H
#define MINIVMM_SNAPSHOT_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot/snapshot_format.h"
#include "util/vmm_error.h"

#define SNAPSHOT_MAX_STATE (16u << 20) /* bytes before RAM: header, table, sections */

struct snapshot_view {
	struct snapshot_header header;
	const struct snapshot_section_entry *table; /* into the buffer given to snapshot_parse */
	const uint8_t *base;
};

/* Checks the header at the start of buf (len bytes) against the file's size; on success *out
 * holds it and out->ram_offset bytes are what snapshot_parse() needs. */
int snapshot_parse_header(const void *buf, size_t len, uint64_t file_size,
			  struct snapshot_header *out, struct vmm_error *err);

/* Checks the file's first len bytes (len >= ram_offset) whole. The view points into buf. */
int snapshot_parse(const void *buf, size_t len, uint64_t file_size, struct snapshot_view *view,
		   struct vmm_error *err);

/* The section called name: its bytes and size, or NULL when there is none. */
const void *snapshot_section(const struct snapshot_view *view, const char *name, size_t *size);

/* The section called name whose size must be exactly size: 0, or -EINVAL naming it. */
int snapshot_section_exact(const struct snapshot_view *view, const char *name, void *out,
			   size_t size, struct vmm_error *err);

#endif
