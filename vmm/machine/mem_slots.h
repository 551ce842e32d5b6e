/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM as KVM memory slots with some pages read-only to the guest (KVM_MEM_READONLY,
 * api.rst 4.35 KVM_SET_USER_MEMORY_REGION, KVM_CAP_READONLY_MEM): a guest write there exits as
 * KVM_EXIT_MMIO and the VMM completes it. gdb's write watchpoints use it (vmm/gdb/gdb_watch.c)
 * where the host has no data breakpoints.
 *
 * vm.c maps RAM as slot 0, [0, size). A layout splits it: read-write and read-only runs in
 * address order, slot i for run i (slot 0 still starts at 0), all backed by the same host
 * mapping, so what the VMM reads and writes through guest_mem is unchanged.
 */
#ifndef MINIVMM_MEM_SLOTS_H
#define MINIVMM_MEM_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/guest_mem.h"
#include "util/vmm_error.h"

#define MEM_SLOTS_MAX_RO_PAGES 16
#define MEM_SLOTS_MAX	       (2 * MEM_SLOTS_MAX_RO_PAGES + 1)
#define MEM_SLOTS_PAGE	       4096ull

struct mem_slot {
	uint64_t gpa, size;
	bool readonly;
};

struct mem_slot_layout {
	unsigned count;
	struct mem_slot slot[MEM_SLOTS_MAX];
};

/* The layout of ram_size bytes with the pages at ro_pages (page-aligned guest-physical
 * addresses, any order, duplicates allowed) read-only; n 0 gives the one slot vm.c makes.
 * Returns 0, or -EINVAL for more than MEM_SLOTS_MAX_RO_PAGES pages, an unaligned page or one
 * outside RAM. */
int mem_slots_layout(uint64_t ram_size, const uint64_t *ro_pages, unsigned n,
		     struct mem_slot_layout *out);

/* Replaces the slots of layout old (the VM's current one) by those of new: every vCPU must be
 * outside KVM_RUN. Slots are deleted first (a slot cannot be resized or moved, api.rst 4.35),
 * then made again. Returns 0 or a negative errno with err filled; on failure it tries to put
 * old back. */
int mem_slots_apply(int vm_fd, const struct guest_mem *mem, const struct mem_slot_layout *old,
		    const struct mem_slot_layout *new_layout, struct vmm_error *err);

#endif
