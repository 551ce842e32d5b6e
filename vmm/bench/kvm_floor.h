/* SPDX-License-Identifier: MIT */
/*
 * The floor: the cheapest exit loop KVM allows on this host. A VM with the same memory layout
 * and long-mode state as minivmm's runs a flat loop, and the host does nothing but KVM_RUN again
 * on every exit: no bus, no devices, no threads, no tracing. A VMM cannot go below this.
 */
#ifndef MINIVMM_BENCH_KVM_FLOOR_H
#define MINIVMM_BENCH_KVM_FLOOR_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/flat_loops.h"
#include "util/vmm_error.h"

struct kvm_floor_options {
	const char *kvm_device;
	uint16_t ioeventfd_port; /* 0: none; else a PIO ioeventfd at this port (1 byte) */
};

/* Runs loop until it writes the exit port; *elapsed_ns is the time of the KVM_RUN loop alone.
 * *exits counts the returns from KVM_RUN. */
int kvm_floor_run(const struct kvm_floor_options *opts, const struct flat_loop *loop,
		  uint64_t *elapsed_ns, uint64_t *exits, struct vmm_error *err);

#endif
