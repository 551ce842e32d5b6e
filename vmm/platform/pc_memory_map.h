/* SPDX-License-Identifier: MIT */
/*
 * The PC's physical memory map as minivmm builds it (pc_layout.h): what a boot loader reports to
 * a kernel (the Multiboot memory map, mem_lower) and where a kernel may be loaded. One list, so
 * the map a kernel reads and the loader's checks cannot disagree.
 */
#ifndef MINIVMM_PLATFORM_PC_MEMORY_MAP_H
#define MINIVMM_PLATFORM_PC_MEMORY_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PC_MEMORY_MAP_MAX 5

struct pc_memory_range {
	uint64_t base, end; /* [base, end) */
	bool available;	    /* else reserved */
	const char *what;   /* for messages and docs/platform.md */
};

/* The map for ram_size bytes of RAM (at least MINIVMM_RAM_MIN), in address order:
 *   [0, 0x1000) reserved, [0x1000, EBDA) available, [EBDA, 1 MiB) reserved,
 *   [1 MiB, ram_size) available, [MMIO window, 4 GiB) reserved.
 * Fills out (PC_MEMORY_MAP_MAX entries) and returns how many it filled. */
size_t pc_memory_map(uint64_t ram_size, struct pc_memory_range *out);

/* The first range below 1 MiB that minivmm writes at every boot (the IVT/BDA page, the EBDA, the
 * multiboot information, the firmware tables) which [gpa, gpa + len) overlaps, or NULL: a guest
 * image must not load there. The rest of the reserved hole (VGA window, ROM space) holds nothing
 * of minivmm's, so a kernel that puts bytes there (QEMU's multiboot loader allows it) loses
 * nothing; the map still reports it reserved. len and gpa + len are below 2^64. */
const struct pc_memory_range *pc_memory_written_overlap(uint64_t gpa, uint64_t len);

#endif
