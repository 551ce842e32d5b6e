/* The guest's CPUID: what this KVM supports (KVM_GET_SUPPORTED_CPUID, api.rst 4.46). */
#ifndef MINIVMM_X86_CPUID_H
#define MINIVMM_X86_CPUID_H

#include "vmm_error.h"

struct kvm;

/* Starts asking KVM_GET_SUPPORTED_CPUID (~0.3 ms when nested) on a helper thread on another
 * CPU, unless this process knows the answer or is asking already, so it runs beside the rest of
 * VM creation. Optional, and does nothing when no other CPU is allowed: x86_setup_cpuid()
 * asks itself if the helper has not started. kvm's fd may be closed at any time after. */
void x86_cpuid_prefetch(const struct kvm *kvm);

/* Gives vcpu_fd the host-supported CPUID leaves (waiting for a helper that is asking).
 * apic_id: this vCPU's, written where CPUID reports it (leaf 1 EBX[31:24], leaves 0xB/0x1F). */
int x86_setup_cpuid(const struct kvm *kvm, int vcpu_fd, unsigned apic_id, struct vmm_error *err);

#endif
