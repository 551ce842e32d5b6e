/* SPDX-License-Identifier: MIT */
/*
 * One vCPU's state in a snapshot: CPUID, registers, special registers, XSAVE (or the legacy
 * FPU area), XCRs, debug registers, MSRs, LAPIC, events and MP state, each in a section of its
 * own ("vcpuN.regs", ...: docs/snapshot.md), read and written with KVM's vCPU ioctls
 * (api.rst section 4).
 */
#ifndef MINIVMM_SNAPSHOT_VCPU_H
#define MINIVMM_SNAPSHOT_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "util/vmm_error.h"

struct kvm;
struct kvm_cpuid2;
struct snapshot_builder;
struct snapshot_view;

#define SNAPSHOT_MAX_MSRS  512u
#define SNAPSHOT_MAX_CPUID 256u

/* What this KVM can give, asked once before the sandbox closes /dev/kvm
 * (snapshot_vcpu_caps_probe): the XSAVE size, the optional state, the MSRs to save. */
struct snapshot_vcpu_caps {
	uint32_t xsave_size; /* KVM_GET_XSAVE2's size, 4096 for KVM_GET_XSAVE, 0: FPU only */
	bool xcrs, debugregs, irqchip;
	bool kvmclock; /* KVM_CAP_ADJUST_CLOCK: KVM_GET_CLOCK/KVM_SET_CLOCK (snapshot_machine.c) */
	uint32_t msr_count;
	uint32_t msrs[SNAPSHOT_MAX_MSRS]; /* KVM_GET_MSR_INDEX_LIST, those KVM_GET_MSRS returns */
};

/* Fills caps from kvm and one vCPU of the VM (its MSRs are read to find the readable ones). */
int snapshot_vcpu_caps_probe(const struct kvm *kvm, int vcpu_fd, bool irqchip,
			     struct snapshot_vcpu_caps *caps, struct vmm_error *err);

/* Adds vCPU index's sections. The vCPU must not be in KVM_RUN (paused or stopped). */
int snapshot_vcpu_save(const struct snapshot_vcpu_caps *caps, int vcpu_fd, unsigned index,
		       struct snapshot_builder *b, struct vmm_error *err);

/* Gives a new vCPU the saved state, in the order KVM needs (snapshot_vcpu.c). Bad or
 * missing sections: VMM_EXIT_GUEST_IMAGE. */
int snapshot_vcpu_restore(const struct snapshot_vcpu_caps *caps, int vcpu_fd, unsigned index,
			  const struct snapshot_view *view, struct vmm_error *err);

/* The CPU vendor (leaf 0) and the feature words (snapshot_format.h) of a CPUID. */
void snapshot_vcpu_cpu_identity(const struct kvm_cpuid2 *cpuid, char vendor[12],
				uint32_t *features);

#endif
