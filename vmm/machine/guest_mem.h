/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: one contiguous host mapping that backs guest-physical [0, size).
 *
 * Every guest-physical address that reaches the VMM (from the loader, a device, a virtqueue) is
 * turned into a host pointer by guest_mem_gpa_to_hva() and nothing else: it checks the whole range
 * against RAM with overflow-safe arithmetic, because the guest controls those numbers.
 */
#ifndef MINIVMM_GUEST_MEM_H
#define MINIVMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vmm_error.h"

struct guest_mem {
	uint8_t *host;	   /* host address of guest-physical 0 */
	uint64_t size;	   /* bytes */
	bool owns_mapping; /* munmap on destroy (false when wrapping a caller's buffer) */
};

/* Maps size bytes of anonymous memory with MAP_NORESERVE (pages are committed on first touch).
 * Fails with VMM_EXIT_USAGE if size is outside [MINIVMM_RAM_MIN, MINIVMM_RAM_MAX] or not a
 * multiple of 4 KiB, and with VMM_EXIT_HOST_RESOURCES if the host has not got it. */
int guest_mem_init(struct guest_mem *mem, uint64_t size, struct vmm_error *err);

/* Maps size bytes of the file fd from offset (page-aligned) MAP_PRIVATE: a restored snapshot's
 * RAM (docs/snapshot.md), read from the file only where the guest touches it, written to
 * private copies, never to the file. Same size checks as guest_mem_init. */
int guest_mem_map_file(struct guest_mem *mem, uint64_t size, int fd, uint64_t offset,
		       struct vmm_error *err);

/* Wraps an existing buffer (unit tests, fuzzers); destroy() will not free it. */
void guest_mem_wrap(struct guest_mem *mem, void *buffer, uint64_t size);

void guest_mem_destroy(struct guest_mem *mem);

/* Host pointer for guest-physical [gpa, gpa + len), or NULL if any byte lies outside RAM or the
 * range wraps around. len 0 is allowed for any gpa <= size. */
void *guest_mem_gpa_to_hva(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* True if [gpa, gpa + len) lies wholly inside RAM. */
bool guest_mem_range_ok(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* True if [a, a + alen) and [b, b + blen) overlap (zero-length ranges overlap nothing). */
bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

#endif
