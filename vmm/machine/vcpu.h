/* SPDX-License-Identifier: MIT */
/*
 * One virtual CPU: its KVM file descriptor, its shared kvm_run page, the thread that runs it,
 * and, when the guest stops abnormally, the report of why.
 */
#ifndef MINIVMM_VCPU_H
#define MINIVMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vmm_error.h"

struct vm;
struct vcpu_trace;

/* Why a vCPU stopped abnormally, with the CPU state at that moment. */
struct vcpu_report {
	bool valid;
	char what[128];	  /* e.g. "triple fault (KVM_EXIT_SHUTDOWN)" */
	char detail[384]; /* the exit's own fields, and what it usually means */
	bool has_regs;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
};

struct vcpu {
	struct vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool thread_started;
	atomic_bool finished;
	struct vcpu_report report;
	struct vcpu_trace *trace; /* exit records, or NULL when nothing is traced */
	/* KVM's coalesced MMIO/PIO ring in the kvm_run mapping (api.rst 4.116), or NULL. */
	struct kvm_coalesced_mmio_ring *coalesced_ring;
	uint32_t coalesced_slots; /* entries in that ring, computed once */
	uint64_t exits;		  /* returns from KVM_RUN that reached minivmm */
	uint64_t unclaimed_io;	  /* accesses no device claimed */
	uint64_t cpu_ns;	  /* the thread's CPU time when its loop ended (minivmm bench) */
	char first_unclaimed[96];
};

int vcpu_create(struct vcpu *vcpu, struct vm *vm, unsigned index, struct vmm_error *err);
void vcpu_destroy(struct vcpu *vcpu);

/* Sets 64-bit long-mode registers with RIP = entry. */
int vcpu_enter_long_mode(struct vcpu *vcpu, uint64_t entry, struct vmm_error *err);

/* Installs the SIGUSR1 handler used by vcpu_kick (once per process). */
int vcpu_install_kick_handler(void);

/* Starts the vCPU thread, which runs run_loop until the VM stops. */
int vcpu_start(struct vcpu *vcpu, void (*on_finish)(struct vcpu *vcpu));

/* Makes the vCPU leave KVM_RUN promptly (signal + KVM_CAP_IMMEDIATE_EXIT, api.rst 5). */
void vcpu_kick(struct vcpu *vcpu);

void vcpu_join(struct vcpu *vcpu);

/* The run loop proper (run_loop.c): KVM_RUN until a stop is requested. */
void vcpu_run_loop(struct vcpu *vcpu);

/* Fills vcpu->report with a title, details and the registers (exit_report.c). */
void vcpu_report_fault(struct vcpu *vcpu, const char *what, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Points the vCPU at KVM's coalesced MMIO/PIO ring, the page at ring_page in its kvm_run
 * mapping; the ring's entries fill the rest of that page (api.rst 4.116,
 * KVM_COALESCED_MMIO_MAX). */
static inline void vcpu_use_coalesced_ring(struct vcpu *vcpu, void *ring_page, size_t page_size)
{
	vcpu->coalesced_ring = ring_page;
	vcpu->coalesced_slots = (uint32_t)((page_size - sizeof *vcpu->coalesced_ring) /
					   sizeof(struct kvm_coalesced_mmio));
}

/* Whether the ring holds writes no consumer has handed on yet: two loads, so that the exit path
 * pays no call and no lock for an empty ring (nearly every exit). Acquire: a consumer on another
 * thread hands an entry to its device before it moves first past it. */
static inline bool vcpu_coalesced_pending(const struct vcpu *vcpu)
{
	const struct kvm_coalesced_mmio_ring *ring = vcpu->coalesced_ring;
	return ring && __atomic_load_n(&ring->first, __ATOMIC_ACQUIRE) !=
			   __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
}

#endif
