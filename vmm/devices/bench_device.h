/* SPDX-License-Identifier: MIT */
/*
 * The bench device (bench_device.c): the registers guest/programs/bench.c times, one of each kind
 * of device access a KVM-based VMM offers, with counters that tell how many accesses arrived by
 * which path. Addresses: include/minivmm/boot_abi.h, MINIVMM_BENCH_*.
 */
#ifndef MINIVMM_BENCH_DEVICE_H
#define MINIVMM_BENCH_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device_host.h"
#include "devices/device_table.h"

#define BENCH_DEVICE_NAME "bench"

struct bench_counts {
	uint64_t pio_writes;  /* writes to the PIO register: each one a userspace exit */
	uint64_t mmio_writes; /* writes to the MMIO register page: each one a userspace exit */
	/* Doorbell writes KVM completed itself by signalling the eventfd (no userspace exit). */
	uint64_t ioeventfd_pio;
	uint64_t ioeventfd_mmio;
	/* Doorbell accesses that did reach minivmm: all of them without ioeventfd, otherwise only
	 * those ioeventfd does not match (reads, other lengths). */
	uint64_t doorbell_pio_exits;
	uint64_t doorbell_mmio_exits;
	/* Writes dispatched to the coalesced page: entries drained from KVM's ring, plus the writes
	 * that exited because the ring was full or coalescing is unavailable. */
	uint64_t coalesced_writes;
	bool have_ioeventfd; /* KVM_CAP_IOEVENTFD, and both doorbells were assigned */
	bool have_coalesced; /* KVM_CAP_COALESCED_MMIO, and the zone was registered */
};

extern const struct device_module bench_device_module;

/* The counts so far (the eventfd counters are read, and reset, into running totals). Returns 0,
 * or -ENOENT if the table has no bench device. */
int bench_device_counts(const struct device_table *devices, struct bench_counts *out);

#endif
