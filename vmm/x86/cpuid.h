/* The guest's CPUID: what this KVM supports (KVM_GET_SUPPORTED_CPUID, api.rst 4.46). */
#ifndef MINIVMM_X86_CPUID_H
#define MINIVMM_X86_CPUID_H

#include "vmm_error.h"

struct kvm;

/* Gives vcpu_fd the host-supported CPUID leaves. */
/* apic_id: this vCPU's, written where CPUID reports it (leaf 1 EBX[31:24], leaves 0xB/0x1F). */
int x86_setup_cpuid(const struct kvm *kvm, int vcpu_fd, unsigned apic_id, struct vmm_error *err);

#endif
