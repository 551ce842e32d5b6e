/* SPDX-License-Identifier: MIT */
#include "machine/mem_slots.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void add_run(struct mem_slot_layout *out, uint64_t gpa, uint64_t size, bool readonly)
{
	struct mem_slot *last = out->count ? &out->slot[out->count - 1] : NULL;
	if (size == 0)
		return;
	if (last && last->readonly == readonly && last->gpa + last->size == gpa) {
		last->size += size; /* adjacent read-only pages: one slot */
		return;
	}
	out->slot[out->count++] = (struct mem_slot){gpa, size, readonly};
}

int mem_slots_layout(uint64_t ram_size, const uint64_t *ro_pages, unsigned n,
		     struct mem_slot_layout *out)
{
	uint64_t pages[MEM_SLOTS_MAX_RO_PAGES];
	memset(out, 0, sizeof *out);
	if (n > MEM_SLOTS_MAX_RO_PAGES)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (ro_pages[i] % MEM_SLOTS_PAGE || ro_pages[i] >= ram_size ||
		    ram_size - ro_pages[i] < MEM_SLOTS_PAGE)
			return -EINVAL;
		pages[i] = ro_pages[i];
	}
	qsort(pages, n, sizeof pages[0], compare_u64);
	uint64_t at = 0; /* the first byte not yet in a slot */
	for (unsigned i = 0; i < n; i++) {
		if (pages[i] < at)
			continue; /* a duplicate */
		add_run(out, at, pages[i] - at, false);
		add_run(out, pages[i], MEM_SLOTS_PAGE, true);
		at = pages[i] + MEM_SLOTS_PAGE;
	}
	add_run(out, at, ram_size - at, false);
	return 0;
}

static int set_slot(int vm_fd, const struct guest_mem *mem, unsigned id, const struct mem_slot *s,
		    bool remove)
{
	struct kvm_userspace_memory_region r = {
	    .slot = id,
	    .flags = s->readonly && !remove ? KVM_MEM_READONLY : 0,
	    .guest_phys_addr = s->gpa,
	    .memory_size = remove ? 0 : s->size,
	    .userspace_addr = (uint64_t)(uintptr_t)(mem->host + s->gpa),
	};
	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}

/* Deletes the slots of from, then makes those of to. */
static int replace(int vm_fd, const struct guest_mem *mem, const struct mem_slot_layout *from,
		   const struct mem_slot_layout *to)
{
	for (unsigned i = 0; i < from->count; i++) {
		int r = set_slot(vm_fd, mem, i, &from->slot[i], true);
		if (r)
			return r;
	}
	for (unsigned i = 0; i < to->count; i++) {
		int r = set_slot(vm_fd, mem, i, &to->slot[i], false);
		if (r) {
			while (i-- > 0)
				set_slot(vm_fd, mem, i, &to->slot[i], true);
			return r;
		}
	}
	return 0;
}

int mem_slots_apply(int vm_fd, const struct guest_mem *mem, const struct mem_slot_layout *old,
		    const struct mem_slot_layout *new_layout, struct vmm_error *err)
{
	int r = replace(vm_fd, mem, old, new_layout);
	if (!r)
		return 0;
	/* The new slots are gone again: make the old ones, so the guest keeps its RAM. */
	struct mem_slot_layout none = {0};
	replace(vm_fd, mem, &none, old);
	return vmm_error_set(err, r, VMM_EXIT_HOST_RESOURCES,
			     "KVM_SET_USER_MEMORY_REGION (read-only pages) failed: %s",
			     strerror(-r));
}
