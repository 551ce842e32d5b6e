/* The guest's CPUID: what this KVM supports (KVM_GET_SUPPORTED_CPUID, api.rst 4.46). */
#ifndef MINIVMM_X86_CPUID_H
#define MINIVMM_X86_CPUID_H

#include "vmm_error.h"

struct kvm;

/* Gives vcpu_fd the host-supported CPUID leaves. */
int x86_setup_cpuid(const struct kvm *kvm, int vcpu_fd, struct vmm_error *err);

#endif
