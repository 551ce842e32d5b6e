/* SPDX-License-Identifier: MIT */
/*
 * One exit record: everything minivmm knows about one return from KVM_RUN. The vCPU thread fills
 * records into a preallocated ring (trace_ring.h) with no allocation, syscall or formatting; the
 * writers (text, JSON, SVG) and the statistics read them later, off the exit path.
 *
 * Times are nanoseconds of CLOCK_MONOTONIC since the trace started (trace_session.t0):
 *   t_run   just before the KVM_RUN ioctl     (host -> guest: VM entry follows)
 *   t_exit  just after KVM_RUN returned       (guest -> host: the VM exit reached minivmm)
 *   t_done  after minivmm handled the exit    (the device emulation is over)
 * so [t_run, t_exit) is time inside KVM_RUN (the guest, plus KVM in the host kernel, plus any
 * exits KVM handled without us), and [t_exit, next t_run) is time in the VMM.
 */
#ifndef MINIVMM_TRACE_EXIT_RECORD_H
#define MINIVMM_TRACE_EXIT_RECORD_H

#include <stdint.h>

#define EXIT_RECORD_WRITE	      (1u << 0) /* I/O direction: out / MMIO store */
#define EXIT_RECORD_UNCLAIMED	      (1u << 1) /* no device claimed the access */
#define EXIT_RECORD_IN_KERNEL_UNKNOWN (1u << 2) /* in_kernel_exits not available */
/* This KVM_RUN's in-kernel exits were not read yet: a later record of the same vCPU carries them
 * in its in_kernel_exits, summed over its in_kernel_span (vcpu_trace.h: sampled counting). */
#define EXIT_RECORD_IN_KERNEL_LATER (1u << 3)

struct exit_record {
	uint64_t seq;	/* per vCPU, from 0 */
	uint64_t t_run; /* ns, see above */
	uint64_t t_exit;
	uint64_t t_done;
	uint64_t addr;	     /* port number or guest-physical address; 0 for other exits */
	uint64_t data;	     /* the first access's bytes, little-endian (up to 8) */
	const char *device;  /* the bus range's name (static for the VM's life), NULL if none */
	uint32_t kvm_reason; /* KVM_EXIT_* from kvm_run.exit_reason (KVM_EXIT_INTR for a kick) */
	uint32_t count;	     /* items of a string PIO (rep outsb), else 1 */
	uint32_t in_kernel_exits; /* exits KVM handled itself inside the KVM_RUNs of the span */
	uint32_t in_kernel_span;  /* how many records (this one and the LATER ones before it) */
	uint16_t vcpu;
	uint8_t size;  /* access width in bytes (0 for non-I/O exits) */
	uint8_t flags; /* EXIT_RECORD_* */
};

/* Does this record carry an in-kernel exit count (its own, or its span's)? */
static inline int exit_record_has_in_kernel(const struct exit_record *rec)
{
	return !(rec->flags & (EXIT_RECORD_IN_KERNEL_UNKNOWN | EXIT_RECORD_IN_KERNEL_LATER));
}

/* Short upper-case names as `perf kvm stat` shows them: "IO", "MMIO", "HLT", "SHUTDOWN"... */
const char *exit_reason_name(uint32_t kvm_reason);

#endif
