/* SPDX-License-Identifier: MIT */
/*
 * An address-range bus. The run loop hands every PIO and MMIO exit to a bus; devices register
 * the ranges they decode. The run loop never names a device: a new device is one file plus one
 * bus_register() call.
 *
 * Accesses are little-endian byte arrays of 1, 2, 4 or 8 bytes, as KVM delivers them in kvm_run
 * (api.rst, KVM_EXIT_IO and KVM_EXIT_MMIO). An access that no device claims reads as all ones and
 * is dropped on write, as on a PC whose bus has no device at that address.
 *
 * No access is ever claimed by two ranges. A plain range claims every access wholly inside it;
 * an exact range (bus_register_exact) only the one access that covers it exactly. That is how a
 * PC decodes port 0xCF8: the host bridge takes a 32-bit access at 0xCF8 as PCI CONFIG_ADDRESS,
 * while a byte access at 0xCF9 reaches the reset control register (PCI Local Bus 3.0,
 * 3.2.2.3.2: "only 32-bit accesses to CONFIG_ADDRESS", other sizes pass through as I/O).
 */
#ifndef MINIVMM_BUS_H
#define MINIVMM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define BUS_MAX_RANGES 32

struct bus_device_ops {
	/* offset is relative to the start of the registered range; the access lies wholly inside
	 * it. read must fill all len bytes of data. */
	void (*read)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len);
	void (*write)(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const char *name; /* device name, shown in reports and traces */
	const struct bus_device_ops *ops;
	void *opaque;
	bool exact; /* claims only the access [base, base + len) itself */
};

struct bus {
	const char *space_name; /* "io" or "mmio", for messages */
	struct bus_range ranges[BUS_MAX_RANGES];
	unsigned count;
	uint64_t unclaimed_reads;
	uint64_t unclaimed_writes;
};

void bus_init(struct bus *bus, const char *space_name);

/* Claims [base, base + len) for a device. Returns -EINVAL for an empty or wrapping range,
 * -EEXIST if it overlaps a range already registered, -ENOSPC when the bus is full. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		 const struct bus_device_ops *ops, void *opaque);

/* The same for a range that claims only the access of len bytes at base (see above); it may
 * share ports with plain ranges that do not contain it whole. */
int bus_register_exact(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		       const struct bus_device_ops *ops, void *opaque);

/* The range that claims the access [addr, addr + len), or NULL. */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr, uint32_t len);

/* Performs one access. Returns the range that handled it, or NULL if none claims it (then a read
 * fills data with 0xff and the unclaimed counters go up). */
const struct bus_range *bus_access(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len,
				   bool is_write);

#endif
