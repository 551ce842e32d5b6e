/* SPDX-License-Identifier: MIT */
/*
 * The guest CPU model (cpu_model.h). Register layouts: Intel SDM vol. 2A, "CPUID"; AMD APM
 * vol. 3, appendix E. Each change to KVM's set is listed, with its reason, in
 * docs/cpu-model.md; cpu_model_why() gives the same reasons to `minivmm info --cpuid`.
 */
#include "x86/cpu_model.h"

#include <string.h>

/* Leaf 1 feature bits of the baseline: x86-64-v1 and -v2 of the x86-64 psABI (FPU ... SSE2,
 * CX16, POPCNT, SSE3, SSSE3, SSE4.1, SSE4.2, LAHF), the system features every x86-64 kernel
 * expects (PAE, PGE, APIC, MSR, TSC, PAT, ...) and x2APIC. */
#define BASELINE_1_EDX	  0x0783fbffu /* FPU-APIC (0-9), SEP-PSE36 (11-17), CLFSH, MMX-SSE2 */
#define BASELINE_1_ECX	  0x00b82201u /* SSE3, SSSE3, CX16, SSE4.1, SSE4.2, x2APIC, POPCNT */
#define BASELINE_EXT1_EDX 0x20100800u /* SYSCALL, NX, LM */
#define BASELINE_EXT1_ECX 0x00000001u /* LAHF/SAHF in long mode */
/* Family 15, model 6, stepping 1: an x86-64 signature no real model-specific quirk keys on. */
#define BASELINE_SIGNATURE 0x00000f61u

#define LEAF1_ECX_HYPERVISOR (1u << 31) /* a hypervisor is present (reserved for it by both) */
#define LEAF1_EDX_HTT	     (1u << 28) /* EBX[23:16] is valid */
#define EXT1_ECX_CMP_LEGACY  (1u << 1)	/* AMD: more than one core in the package */

static bool vendor_is(const struct kvm_cpuid2 *cpuid, const char name[12])
{
	const struct kvm_cpuid_entry2 *e = cpu_model_find(cpuid, 0, 0);
	if (!e)
		return false;
	uint32_t regs[3] = {e->ebx, e->edx, e->ecx}; /* the vendor string's order */
	return memcmp(regs, name, 12) == 0;
}

static bool vendor_is_amd(const struct kvm_cpuid2 *cpuid)
{
	return vendor_is(cpuid, "AuthenticAMD") || vendor_is(cpuid, "HygonGenuine");
}

const struct kvm_cpuid_entry2 *cpu_model_find(const struct kvm_cpuid2 *cpuid, uint32_t function,
					      uint32_t index)
{
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
		bool indexed = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		if (e->function == function && (!indexed || e->index == index))
			return e;
	}
	return NULL;
}

/* The entry, appended (zero, with flags) if absent; NULL only if out is full, which
 * cpu_model_capacity() rules out. */
static struct kvm_cpuid_entry2 *entry(struct kvm_cpuid2 *out, uint32_t cap, uint32_t function,
				      uint32_t index, uint32_t flags)
{
	struct kvm_cpuid_entry2 *e =
	    (struct kvm_cpuid_entry2 *)cpu_model_find(out, function, index);
	if (e || out->nent >= cap)
		return e;
	e = &out->entries[out->nent++];
	*e = (struct kvm_cpuid_entry2){.function = function, .index = index, .flags = flags};
	return e;
}

uint32_t cpu_model_capacity(const struct cpu_model_input *in)
{
	return in->supported->nent + CPU_MODEL_MAX_ADDED;
}

/* The leaves a baseline vCPU has: the rest of KVM's set is dropped. */
static bool baseline_keeps(uint32_t function)
{
	switch (function) {
	case 0x0:
	case 0x1:
	case 0xb:
	case 0x40000000: /* KVM's signature and paravirtual features stay visible */
	case 0x40000001:
	case 0x80000000:
	case 0x80000001:
	case 0x80000002:
	case 0x80000003:
	case 0x80000004:
	case 0x80000008:
		return true;
	default:
		return false;
	}
}

static void copy_supported(const struct cpu_model_input *in, struct kvm_cpuid2 *out)
{
	out->nent = 0;
	for (uint32_t i = 0; i < in->supported->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &in->supported->entries[i];
		if (in->kind == CPU_MODEL_HOST || baseline_keeps(e->function))
			out->entries[out->nent++] = *e;
	}
}

/* Features: KVM's intersected with the baseline's, so a baseline vCPU never claims what this
 * KVM cannot give; the signature and everything vendor-specific fixed or cleared. */
static void apply_baseline(struct kvm_cpuid2 *out, uint32_t cap, bool amd)
{
	struct kvm_cpuid_entry2 *e;
	bool has_0xb = cpu_model_find(out, 0xb, 0) != NULL;
	if ((e = entry(out, cap, 0, 0, 0)))
		e->eax = has_0xb ? 0xb : 0x1;
	if ((e = entry(out, cap, 1, 0, 0))) {
		e->eax = BASELINE_SIGNATURE;
		e->ebx &= 0xff00ff00u; /* keep APIC ID and CLFLUSH size; no brand index */
		e->ecx &= BASELINE_1_ECX;
		e->edx &= BASELINE_1_EDX;
	}
	if ((e = entry(out, cap, 0x80000000, 0, 0)))
		e->eax = 0x80000008;
	if ((e = entry(out, cap, 0x80000001, 0, 0))) {
		e->eax = amd ? BASELINE_SIGNATURE : 0; /* AMD repeats the signature here */
		e->ebx = 0;
		e->ecx &= BASELINE_EXT1_ECX;
		e->edx &= BASELINE_EXT1_EDX;
	}
	if ((e = entry(out, cap, 0x80000008, 0, 0))) {
		e->ebx = 0; /* AMD's extended feature bits: none in the baseline */
		e->ecx = 0;
		e->edx = 0;
	}
}

/* 0x80000002-0x80000004 hold the brand, 16 bytes each, NUL-padded. */
static bool brand_empty(const struct kvm_cpuid2 *cpuid)
{
	for (uint32_t f = 0x80000002; f <= 0x80000004; f++) {
		const struct kvm_cpuid_entry2 *e = cpu_model_find(cpuid, f, 0);
		if (e && (e->eax | e->ebx | e->ecx | e->edx))
			return false;
	}
	return true;
}

static void set_brand(struct kvm_cpuid2 *out, uint32_t cap, const char *brand)
{
	char text[48] = {0};
	strncpy(text, brand, sizeof text - 1); /* the 48th byte stays NUL */
	for (uint32_t i = 0; i < 3; i++) {
		struct kvm_cpuid_entry2 *e = entry(out, cap, 0x80000002 + i, 0, 0);
		if (e) {
			memcpy(&e->eax, text + 16 * i, 4);
			memcpy(&e->ebx, text + 16 * i + 4, 4);
			memcpy(&e->ecx, text + 16 * i + 8, 4);
			memcpy(&e->edx, text + 16 * i + 12, 4);
		}
	}
	struct kvm_cpuid_entry2 *max = entry(out, cap, 0x80000000, 0, 0);
	if (max && max->eax < 0x80000004)
		max->eax = 0x80000004;
}

/* Bits needed to number n things: 0 for 1, 1 for 2, 2 for 3-4, 3 for 5-8. */
static unsigned id_bits(unsigned n)
{
	unsigned bits = 0;
	while ((1u << bits) < n)
		bits++;
	return bits;
}

/* Leaves 0xB and 0x1F (Intel SDM, "V2 Extended Topology Enumeration"): one package of
 * vcpu_count cores, one thread each. Level 0 is SMT (shift 0, 1 thread), level 1 the cores
 * (shift id_bits, vcpu_count processors), and every other subleaf is invalid (type 0). EDX is
 * the x2APIC ID on every subleaf. Rewritten only where KVM reports the leaf. */
static void set_extended_topology(struct kvm_cpuid2 *out, uint32_t cap, uint32_t leaf,
				  unsigned vcpus, unsigned apic_id)
{
	const struct kvm_cpuid_entry2 *first = cpu_model_find(out, leaf, 0);
	if (!first)
		return;
	uint32_t flags = first->flags | KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	for (uint32_t sub = 0; sub < 3; sub++)
		entry(out, cap, leaf, sub, flags);
	for (uint32_t i = 0; i < out->nent; i++) {
		struct kvm_cpuid_entry2 *e = &out->entries[i];
		if (e->function != leaf)
			continue;
		e->flags |= KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->edx = apic_id;
		if (e->index == 0) {
			e->eax = 0, e->ebx = 1, e->ecx = 1u << 8; /* SMT: 1 thread per core */
		} else if (e->index == 1) {
			e->eax = id_bits(vcpus), e->ebx = vcpus, e->ecx = 1 | 2u << 8; /* core */
		} else {
			e->eax = 0, e->ebx = 0, e->ecx = e->index & 0xff; /* invalid level */
		}
	}
}

/* Topology for --cpus: one package, vcpu_count cores, one thread each, APIC ID = vCPU id. */
static void set_topology(struct kvm_cpuid2 *out, uint32_t cap, unsigned vcpus, unsigned apic_id,
			 bool amd)
{
	struct kvm_cpuid_entry2 *e;
	unsigned ids = 1u << id_bits(vcpus); /* addressable IDs: a power of two */
	if ((e = (struct kvm_cpuid_entry2 *)cpu_model_find(out, 1, 0))) {
		/* EBX[31:24] initial APIC ID, EBX[23:16] addressable logical IDs (valid with
		 * EDX.HTT); KVM passes the host's through, so every vCPU would claim one ID. */
		e->ebx = (e->ebx & 0x0000ffffu) | (apic_id & 0xffu) << 24 | (ids & 0xffu) << 16;
		e->edx = vcpus > 1 ? e->edx | LEAF1_EDX_HTT : e->edx & ~LEAF1_EDX_HTT;
		e->ecx |= LEAF1_ECX_HYPERVISOR;
	}
	for (uint32_t i = 0; i < out->nent; i++) {
		e = &out->entries[i];
		if (e->function == 4 && !amd && (e->eax & 0x1f)) /* EAX[31:26] cores - 1 */
			e->eax = (e->eax & 0x03ffffffu) | (ids - 1) << 26;
	}
	set_extended_topology(out, cap, 0xb, vcpus, apic_id);
	set_extended_topology(out, cap, 0x1f, vcpus, apic_id);
	if (!amd)
		return;
	if ((e = (struct kvm_cpuid_entry2 *)cpu_model_find(out, 0x80000001, 0)))
		e->ecx = vcpus > 1 ? e->ecx | EXT1_ECX_CMP_LEGACY : e->ecx & ~EXT1_ECX_CMP_LEGACY;
	if ((e = (struct kvm_cpuid_entry2 *)cpu_model_find(out, 0x80000008, 0)))
		/* ECX[15:12] ApicIdSize, ECX[7:0] NC = cores - 1 */
		e->ecx = (e->ecx & ~0xf0ffu) | id_bits(vcpus) << 12 | ((vcpus - 1) & 0xff);
	if ((e = (struct kvm_cpuid_entry2 *)cpu_model_find(out, 0x8000001e, 0))) {
		e->eax = apic_id;	 /* extended APIC ID */
		e->ebx = apic_id & 0xff; /* core ID; EBX[15:8] threads per core - 1 = 0 */
		e->ecx = 0;		 /* node 0, one node per package */
	}
}

void cpu_model_build(const struct cpu_model_input *in, unsigned apic_id, struct kvm_cpuid2 *out)
{
	uint32_t cap = cpu_model_capacity(in);
	unsigned vcpus = in->vcpu_count ? in->vcpu_count : 1;
	bool amd = vendor_is_amd(in->supported);
	copy_supported(in, out);
	if (in->kind == CPU_MODEL_BASELINE) {
		apply_baseline(out, cap, amd);
		set_brand(out, cap, CPU_MODEL_BASELINE_BRAND);
	} else if (brand_empty(in->supported)) {
		/* Some KVMs report no brand (kvm_pvm); give the host's own, as QEMU's -cpu host
		 * does, so a guest always has one. */
		set_brand(out, cap,
			  in->host_brand && in->host_brand[0] ? in->host_brand
							      : CPU_MODEL_FALLBACK_BRAND);
	}
	set_topology(out, cap, vcpus, apic_id, amd);
}

const char *cpu_model_why(enum cpu_model_kind kind, uint32_t function)
{
	bool base = kind == CPU_MODEL_BASELINE;
	switch (function) {
	case 0x0:
		return base ? "highest basic leaf: only the baseline's" : NULL;
	case 0x1:
		return base ? "baseline signature and features; APIC ID, logical count, HTT"
			    : "APIC ID, logical count and HTT for --cpus; hypervisor bit";
	case 0x4:
		return base ? NULL : "cores per package for --cpus (Intel)";
	case 0xb:
	case 0x1f:
		return "extended topology: --cpus cores, one thread each, x2APIC ID";
	case 0x80000000:
		return base ? "highest extended leaf: only the baseline's"
			    : "highest extended leaf covers the brand";
	case 0x80000001:
		return base ? "baseline extended features; CmpLegacy for --cpus (AMD)"
			    : "CmpLegacy for --cpus (AMD)";
	case 0x80000002:
	case 0x80000003:
	case 0x80000004:
		return base ? "the baseline brand" : "brand: the host's own, KVM gives none";
	case 0x80000008:
		return base ? "no vendor feature bits; core count for --cpus (AMD)"
			    : "core count and APIC ID size for --cpus (AMD)";
	case 0x8000001e:
		return "extended APIC ID and core ID (AMD)";
	default:
		return base ? "not in the baseline" : NULL;
	}
}

bool cpu_model_parse(const char *name, enum cpu_model_kind *kind)
{
	if (strcmp(name, "host") == 0)
		*kind = CPU_MODEL_HOST;
	else if (strcmp(name, "baseline") == 0)
		*kind = CPU_MODEL_BASELINE;
	else
		return false;
	return true;
}

const char *cpu_model_name(enum cpu_model_kind kind)
{
	return kind == CPU_MODEL_BASELINE ? "baseline" : "host";
}
