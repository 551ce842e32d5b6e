/* SPDX-License-Identifier: MIT */
/* The guest's CPUID: the CPU model (cpu_model.h) applied to what this KVM supports
 * (KVM_GET_SUPPORTED_CPUID, api.rst 4.46), given to each vCPU with KVM_SET_CPUID2. */
#ifndef MINIVMM_X86_CPUID_H
#define MINIVMM_X86_CPUID_H

#include "util/vmm_error.h"
#include "x86/cpu_model.h"

struct kvm;

/* What the guest CPU is made of: the model and the vCPU count its topology describes. */
struct x86_cpu_config {
	enum cpu_model_kind model;
	unsigned vcpu_count; /* 0 counts as 1 */
};

/* Starts asking KVM_GET_SUPPORTED_CPUID (~0.3 ms when nested) on a helper thread on another
 * CPU, unless this process knows the answer or is asking already, so it runs beside the rest of
 * VM creation. Optional, and does nothing when no other CPU is allowed: x86_setup_cpuid()
 * asks itself if the helper has not started. kvm's fd may be closed at any time after. */
void x86_cpuid_prefetch(const struct kvm *kvm);

/* The same, started before the VM exists by a command with slow work of its own to do first
 * (reading the guest file): opens kvm_device (NULL: KVM_DEFAULT_DEVICE) only for the helper's
 * duplicate. The helper's host CPUID exits then run beside that work; started beside vm_create()'s
 * first steps, they held up the SRCU waits of its memory slot and irqchip (their work queued on the
 * CPU the helper kept busy), which cost about as much as the prefetch saved. Errors are left to
 * vm_create(). */
void x86_cpuid_prefetch_early(const char *kvm_device);

/* Waits for the helper thread of x86_cpuid_prefetch(), if there is one, to end (it stops at once
 * if it has not started asking): afterwards no thread of minivmm holds a /dev/kvm descriptor of
 * its own. The sandbox calls it before closing /dev/kvm; it also runs at exit (atexit). Any
 * thread may call it, any number of times. */
void x86_cpuid_prefetch_end(void);

/* Gives vcpu_fd the model's CPUID for the vCPU whose APIC ID is apic_id (waiting for a helper
 * that is asking). */
int x86_setup_cpuid(const struct kvm *kvm, int vcpu_fd, const struct x86_cpu_config *cpu,
		    unsigned apic_id, struct vmm_error *err);

/* For `minivmm info --cpuid`: KVM's supported set and the model's CPUID for apic_id, two new
 * allocations the caller frees. */
int x86_guest_cpuid(const struct kvm *kvm, const struct x86_cpu_config *cpu, unsigned apic_id,
		    struct kvm_cpuid2 **supported_copy, struct kvm_cpuid2 **guest,
		    struct vmm_error *err);

/* What KVM keeps of asked: given to a scratch vCPU and read back (KVM_GET_CPUID2), in a new
 * allocation the caller frees. */
int x86_applied_cpuid(const struct kvm *kvm, const struct kvm_cpuid2 *asked,
		      struct kvm_cpuid2 **applied, struct vmm_error *err);

#endif
