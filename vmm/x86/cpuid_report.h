/* SPDX-License-Identifier: MIT */
/* `minivmm info --cpuid`: the guest's CPUID leaf by leaf, with each change marked. */
#ifndef MINIVMM_X86_CPUID_REPORT_H
#define MINIVMM_X86_CPUID_REPORT_H

#include <stdio.h>

#include "x86/cpu_model.h"

struct cpuid_report {
	const struct kvm_cpuid2 *supported; /* KVM_GET_SUPPORTED_CPUID */
	const struct kvm_cpuid2 *asked;	    /* the model's table (cpu_model_build) */
	const struct kvm_cpuid2 *applied;   /* what KVM kept (KVM_GET_CPUID2) */
	enum cpu_model_kind kind;
	unsigned vcpu_count;
	unsigned apic_id;
};

void cpuid_report_print(FILE *out, const struct cpuid_report *r);

#endif
