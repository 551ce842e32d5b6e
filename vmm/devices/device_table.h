/* SPDX-License-Identifier: MIT */
/*
 * The devices of one VM, in the order they were attached: each one's state, how to free it and
 * how to reset it. The order is the contract: a guest reset (machine/reboot.c) runs the reset
 * hooks in attach order, as a platform reset reaches the chips, and destruction runs in reverse,
 * so no device outlives one attached before it. Knows no device by name.
 */
#ifndef MINIVMM_DEVICE_TABLE_H
#define MINIVMM_DEVICE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vmm_error.h"

#define DEVICE_TABLE_MAX 16
#define DEVICE_STATE_MAX 4096 /* bytes of one device's saved state (a snapshot's section) */

struct device_entry {
	const char *name;
	void *state;
	/* NULL: nothing to free. Runs only as the VM goes away (vm_destroy closes the VM fd right
	 * after): a hook frees its memory, threads and fds but leaves what it registered with KVM
	 * (ioeventfds, coalesced zones): kvm_destroy_vm() releases those itself, while undoing one
	 * waits for an SRCU grace period (kvm_io_bus_unregister_dev, 2-4 ms each here). */
	void (*destroy)(void *state);
	/* A guest reset (reboot.c): back to the state the device had when it was attached, but for
	 * what the real chip keeps over a platform reset (the CMOS clock's battery-backed RAM).
	 * Lowers the device's interrupt line and stops its DMA; called on the vCPU thread while no
	 * vCPU runs guest code, but the device's own threads (console input, virtio worker) may
	 * run: take the device's lock. NULL: nothing a guest can change survives in the device. */
	void (*reset)(void *state);
	/* Snapshot (docs/snapshot.md): writes what the guest can see of the device into buf (at
	 * most DEVICE_STATE_MAX bytes, fixed-width fields) and returns the length; called while
	 * no vCPU runs guest code (its own threads may: take the lock). NULL: nothing to save. */
	size_t (*save)(void *state, void *buf);
	/* Restore: checks len bytes that save() wrote (another length, a value out of range:
	 * -EINVAL, nothing taken) and takes them, on a new VM before any vCPU runs; raises the
	 * interrupt line as saved and re-arms what the device's threads need. */
	int (*load)(void *state, const void *buf, size_t len);
	/* has_clock: save()'s bytes hold a clock at clock_offset, a 64-bit count that goes on
	 * from its saved value and never back (the ACPI PM timer), so two saves of one state
	 * differ there: the snapshot tests compare it as time, not as state. */
	bool has_clock;
	uint16_t clock_offset;
};

struct device_table {
	struct device_entry entries[DEVICE_TABLE_MAX];
	unsigned count;
};

/* Appends a device (reset may be NULL). -ENOSPC with err filled when the table is full; the
 * caller still owns state then. */
int device_table_add(struct device_table *table, const char *name, void *state,
		     void (*destroy)(void *state), void (*reset)(void *state),
		     struct vmm_error *err);

/* Gives the device attached with state its snapshot hooks (a device with state calls it
 * right after device_table_add): -ENOENT if no device has that state. */
int device_table_set_snapshot(struct device_table *table, const void *state,
			      size_t (*save)(void *state, void *buf),
			      int (*load)(void *state, const void *buf, size_t len));

/* Says where the device's saved bytes hold its clock (struct device_entry's has_clock): -ENOENT
 * if no device has that state. */
int device_table_set_snapshot_clock(struct device_table *table, const void *state,
				    uint16_t clock_offset);

/* Every reset hook, in attach order (a guest reset of the whole machine). */
void device_table_reset_all(struct device_table *table);

/* Every destroy hook, in reverse attach order; the table is empty afterwards. */
void device_table_destroy_all(struct device_table *table);

/* The first device of that name, or NULL (tests, diagnostics: never the exit path). */
const struct device_entry *device_table_find(const struct device_table *table, const char *name);

#endif
