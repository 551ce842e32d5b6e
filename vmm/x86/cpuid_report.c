/* SPDX-License-Identifier: MIT */
/*
 * `minivmm info --cpuid`: the CPUID a guest will see, leaf by leaf, with what minivmm changed
 * from KVM's supported set and what KVM changed back.
 */
#include "x86/cpuid_report.h"

#include <string.h>

static bool same_regs(const struct kvm_cpuid_entry2 *a, const struct kvm_cpuid_entry2 *b)
{
	return a->eax == b->eax && a->ebx == b->ebx && a->ecx == b->ecx && a->edx == b->edx;
}

/* The vendor (leaf 0: EBX, EDX, ECX) or brand (0x80000002-4), as text. */
static void cpuid_text(const struct kvm_cpuid2 *cpuid, bool brand, char *out, size_t size)
{
	memset(out, 0, size);
	if (!brand) {
		const struct kvm_cpuid_entry2 *e = cpu_model_find(cpuid, 0, 0);
		if (e && size > 12) {
			memcpy(out, &e->ebx, 4);
			memcpy(out + 4, &e->edx, 4);
			memcpy(out + 8, &e->ecx, 4);
		}
		return;
	}
	for (uint32_t i = 0; i < 3 && 16 * (i + 1) < size; i++) {
		const struct kvm_cpuid_entry2 *e = cpu_model_find(cpuid, 0x80000002 + i, 0);
		if (e)
			memcpy(out + 16 * i, (uint32_t[]){e->eax, e->ebx, e->ecx, e->edx}, 16);
	}
}

static void print_summary(FILE *out, const struct cpuid_report *r)
{
	char vendor[13], brand[49];
	cpuid_text(r->applied, false, vendor, sizeof vendor);
	cpuid_text(r->applied, true, brand, sizeof brand);
	fprintf(out, "guest CPU: --cpu-model %s, --cpus %u, vCPU %u\n", cpu_model_name(r->kind),
		r->vcpu_count, r->apic_id);
	fprintf(out, "vendor: %s\n", vendor);
	fprintf(out, "brand: %s\n", brand);
	const struct kvm_cpuid_entry2 *one = cpu_model_find(r->applied, 1, 0);
	if (one) {
		/* Intel SDM vol. 2A, CPUID leaf 1 EAX: the extended fields count for family 0xF
		 * (family) and for families 6 and 0xF (model). */
		unsigned family = one->eax >> 8 & 0xf, model = one->eax >> 4 & 0xf;
		if (family == 0xf)
			family += one->eax >> 20 & 0xff;
		if (family >= 6)
			model |= (one->eax >> 16 & 0xf) << 4;
		fprintf(out, "signature: %#010x (family %u, model %u, stepping %u)\n", one->eax,
			family, model, one->eax & 0xf);
	}
}

void cpuid_report_print(FILE *out, const struct cpuid_report *r)
{
	print_summary(out, r);
	fprintf(out, "\n  %-10s %5s  %-8s %-8s %-8s %-8s\n", "leaf", "index", "eax", "ebx", "ecx",
		"edx");
	unsigned changed = 0, overridden = 0;
	for (uint32_t i = 0; i < r->applied->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &r->applied->entries[i];
		const struct kvm_cpuid_entry2 *kvm =
		    cpu_model_find(r->supported, e->function, e->index);
		const struct kvm_cpuid_entry2 *asked =
		    cpu_model_find(r->asked, e->function, e->index);
		char mine = !kvm ? '+' : asked && !same_regs(asked, kvm) ? '*' : ' ';
		char back = asked && !same_regs(asked, e) ? '!' : ' ';
		changed += mine != ' ';
		overridden += back != ' ';
		fprintf(out, "%c%c0x%08x %5u  %08x %08x %08x %08x", mine, back, e->function,
			e->index, e->eax, e->ebx, e->ecx, e->edx);
		const char *why = mine != ' ' ? cpu_model_why(r->kind, e->function) : NULL;
		fprintf(out, "%s%s\n", why ? "  " : "", why ? why : "");
	}
	unsigned dropped = 0;
	for (uint32_t i = 0; i < r->supported->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &r->supported->entries[i];
		if (!cpu_model_find(r->asked, e->function, e->index)) {
			fprintf(out, "%s%#x.%u",
				dropped ? " " : "\n- dropped (not in the model): ", e->function,
				e->index);
			dropped++;
		}
	}
	fprintf(out,
		"%s\n* changed by minivmm from KVM_GET_SUPPORTED_CPUID (%u), + added by "
		"minivmm, - dropped (%u)\n",
		dropped ? "\n" : "", changed, dropped);
	fprintf(out,
		"! KVM kept other values than minivmm gave (%u): read back with "
		"KVM_GET_CPUID2%s\n",
		overridden,
		overridden ? "; this KVM decides those bits itself (docs/cpu-model.md)" : "");
}
