/* SPDX-License-Identifier: MIT */
/*
 * The guest CPU model: the CPUID a vCPU sees is minivmm's decision, made from KVM's supported
 * set (KVM_GET_SUPPORTED_CPUID, api.rst 4.46) and documented leaf by leaf in docs/cpu-model.md.
 * Pure: no ioctl, no host access, so unit tests feed it recorded tables of any host.
 */
#ifndef MINIVMM_X86_CPU_MODEL_H
#define MINIVMM_X86_CPU_MODEL_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

enum cpu_model_kind {
	/* KVM's supported set, with a brand always present and topology for --cpus: like
	 * QEMU's -cpu host. The default. */
	CPU_MODEL_HOST,
	/* A fixed, vendor-neutral x86-64 feature set (x86-64-v2 and no more) with a fixed
	 * signature and brand: the same guest sees the same features on Intel and AMD hosts. The
	 * vendor stays the host's: KVM's emulator follows it (e.g. SYSCALL in compat mode). */
	CPU_MODEL_BASELINE,
};

/* The brand string a baseline vCPU reports, and the host model's when neither KVM nor the
 * host's own CPUID gives one. */
#define CPU_MODEL_BASELINE_BRAND "minivmm baseline x86-64 CPU"
#define CPU_MODEL_FALLBACK_BRAND "minivmm virtual CPU"

/* Entries a model may add to KVM's set (brand leaves, topology subleaves). */
#define CPU_MODEL_MAX_ADDED 8

struct cpu_model_input {
	const struct kvm_cpuid2 *supported; /* KVM_GET_SUPPORTED_CPUID's answer */
	const char *host_brand;		    /* the host's own CPUID brand; "" if none */
	enum cpu_model_kind kind;
	unsigned vcpu_count; /* --cpus: 1 or more */
};

/* The number of entries cpu_model_build() may write for this input: size the output for it. */
uint32_t cpu_model_capacity(const struct cpu_model_input *in);

/* Writes the CPUID of the vCPU whose APIC ID is apic_id into out, which has room for
 * cpu_model_capacity(in) entries; sets out->nent. */
void cpu_model_build(const struct cpu_model_input *in, unsigned apic_id, struct kvm_cpuid2 *out);

/* The entry (function, index) of cpuid, or NULL. The index counts only for entries that KVM
 * flags as indexed (KVM_CPUID_FLAG_SIGNIFCANT_INDEX). */
const struct kvm_cpuid_entry2 *cpu_model_find(const struct kvm_cpuid2 *cpuid, uint32_t function,
					      uint32_t index);

/* Why the model changes this leaf from KVM's set, one line; NULL if it leaves it alone. */
const char *cpu_model_why(enum cpu_model_kind kind, uint32_t function);

/* "host" / "baseline" to a kind; false if neither. */
bool cpu_model_parse(const char *name, enum cpu_model_kind *kind);
const char *cpu_model_name(enum cpu_model_kind kind);

#endif
