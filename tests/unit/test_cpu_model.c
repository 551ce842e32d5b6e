/* SPDX-License-Identifier: MIT */
/*
 * The guest CPU model (x86/cpu_model.c) on KVM_GET_SUPPORTED_CPUID tables of other hosts, kept
 * as fixtures in tests/unit/fixtures/: an AMD whose KVM reports no brand (recorded), an AMD and
 * an Intel whose KVM reports the full one. Nothing here asks this host's KVM.
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_check_main.h"
#include "x86/cpu_model.h"

#define AMD_NO_BRAND "amd-epyc-kvm-pvm-no-brand.cpuid"
#define AMD_BRAND    "amd-epyc-full-brand.cpuid"
#define INTEL_BRAND  "intel-xeon-full-brand.cpuid"

/* A fixture: "function index flags eax ebx ecx edx" in hex, one entry a line, # comments. */
static struct kvm_cpuid2 *load_fixture(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", MINIVMM_FIXTURE_DIR, name);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f, "cannot open %s", path);
	struct kvm_cpuid2 *t = calloc(1, sizeof *t + 256 * sizeof(struct kvm_cpuid_entry2));
	ck_assert_ptr_nonnull(t);
	char line[256];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		ck_assert_uint_lt(t->nent, 256);
		struct kvm_cpuid_entry2 *e = &t->entries[t->nent++];
		ck_assert_int_eq(sscanf(line, "%x %x %x %x %x %x %x", &e->function, &e->index,
					&e->flags, &e->eax, &e->ebx, &e->ecx, &e->edx),
				 7);
	}
	fclose(f);
	return t;
}

/* The model's table for vCPU apic_id of vcpus, from fixture, with host_brand. */
static struct kvm_cpuid2 *build(const struct kvm_cpuid2 *supported, enum cpu_model_kind kind,
				unsigned vcpus, unsigned apic_id, const char *host_brand)
{
	struct cpu_model_input in = {
	    .supported = supported, .host_brand = host_brand, .kind = kind, .vcpu_count = vcpus};
	uint32_t cap = cpu_model_capacity(&in);
	struct kvm_cpuid2 *out = calloc(1, sizeof *out + cap * sizeof(struct kvm_cpuid_entry2));
	ck_assert_ptr_nonnull(out);
	cpu_model_build(&in, apic_id, out);
	ck_assert_uint_le(out->nent, cap);
	return out;
}

static const struct kvm_cpuid_entry2 *leaf(const struct kvm_cpuid2 *t, uint32_t fn, uint32_t idx)
{
	const struct kvm_cpuid_entry2 *e = cpu_model_find(t, fn, idx);
	ck_assert_msg(e, "leaf %#x.%u missing", fn, idx);
	return e;
}

/* The brand as a guest reads it (48 bytes, NUL-padded). */
static void brand_of(const struct kvm_cpuid2 *t, char out[49])
{
	memset(out, 0, 49);
	for (uint32_t i = 0; i < 3; i++) {
		const struct kvm_cpuid_entry2 *e = leaf(t, 0x80000002 + i, 0);
		memcpy(out + 16 * i, (uint32_t[]){e->eax, e->ebx, e->ecx, e->edx}, 16);
	}
}

START_TEST(test_empty_brand_gets_the_hosts_own)
{
	struct kvm_cpuid2 *kvm = load_fixture(AMD_NO_BRAND);
	char brand[49];
	struct kvm_cpuid2 *g = build(kvm, CPU_MODEL_HOST, 1, 0, "AMD EPYC");
	brand_of(g, brand);
	ck_assert_str_eq(brand, "AMD EPYC");
	free(g);
	/* A host without a brand of its own either: a fixed one, never nothing. */
	g = build(kvm, CPU_MODEL_HOST, 1, 0, "");
	brand_of(g, brand);
	ck_assert_str_eq(brand, CPU_MODEL_FALLBACK_BRAND);
	free(g);
	free(kvm);
}
END_TEST

START_TEST(test_kvms_brand_is_kept)
{
	static const char *const fixtures[] = {AMD_BRAND, INTEL_BRAND};
	static const char *const brands[] = {"AMD EPYC 9B14 96-Core Processor",
					     "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz"};
	for (int i = 0; i < 2; i++) {
		struct kvm_cpuid2 *kvm = load_fixture(fixtures[i]);
		struct kvm_cpuid2 *g = build(kvm, CPU_MODEL_HOST, 1, 0, "some other brand");
		char brand[49];
		brand_of(g, brand);
		ck_assert_str_eq(brand, brands[i]);
		/* Vendor and signature are KVM's. */
		ck_assert_mem_eq(leaf(g, 0, 0), leaf(kvm, 0, 0), sizeof(struct kvm_cpuid_entry2));
		ck_assert_uint_eq(leaf(g, 1, 0)->eax, leaf(kvm, 1, 0)->eax);
		free(g);
		free(kvm);
	}
}
END_TEST

START_TEST(test_topology_intel)
{
	struct kvm_cpuid2 *kvm = load_fixture(INTEL_BRAND);
	for (unsigned id = 0; id < 5; id++) {
		struct kvm_cpuid2 *g = build(kvm, CPU_MODEL_HOST, 5, id, "");
		const struct kvm_cpuid_entry2 *one = leaf(g, 1, 0);
		ck_assert_uint_eq(one->ebx >> 24, id);
		ck_assert_uint_eq(one->ebx >> 16 & 0xff, 8); /* 5 vCPUs: 8 addressable IDs */
		ck_assert(one->edx & 1u << 28);		     /* HTT: EBX[23:16] is valid */
		ck_assert(one->ecx & 1u << 31);		     /* hypervisor */
		/* Leaf 4: cores per package - 1 in EAX[31:26], on every cache level. */
		for (uint32_t sub = 0; sub < 4; sub++)
			ck_assert_uint_eq(leaf(g, 4, sub)->eax >> 26, 7);
		/* Leaf 0xB: SMT level of 1 thread, core level of 5 with a 3-bit shift. */
		const struct kvm_cpuid_entry2 *smt = leaf(g, 0xb, 0), *core = leaf(g, 0xb, 1);
		ck_assert_uint_eq(smt->eax, 0);
		ck_assert_uint_eq(smt->ebx, 1);
		ck_assert_uint_eq(smt->ecx, 0x100);
		ck_assert_uint_eq(core->eax, 3);
		ck_assert_uint_eq(core->ebx, 5);
		ck_assert_uint_eq(core->ecx, 0x201);
		ck_assert_uint_eq(leaf(g, 0xb, 2)->ecx >> 8 & 0xff, 0); /* no third level */
		ck_assert_uint_eq(smt->edx, id);
		ck_assert_uint_eq(core->edx, id);
		free(g);
	}
	/* One vCPU: no HTT, one addressable ID. */
	struct kvm_cpuid2 *g = build(kvm, CPU_MODEL_HOST, 1, 0, "");
	ck_assert_uint_eq(leaf(g, 1, 0)->edx & 1u << 28, 0);
	ck_assert_uint_eq(leaf(g, 1, 0)->ebx >> 16 & 0xff, 1);
	ck_assert_uint_eq(leaf(g, 0xb, 1)->ebx, 1);
	free(g);
	free(kvm);
}
END_TEST

START_TEST(test_topology_amd)
{
	struct kvm_cpuid2 *kvm = load_fixture(AMD_BRAND);
	struct kvm_cpuid2 *g = build(kvm, CPU_MODEL_HOST, 3, 2, "");
	ck_assert_uint_eq(leaf(g, 1, 0)->ebx >> 24, 2);
	ck_assert(leaf(g, 0x80000001, 0)->ecx & 2); /* CmpLegacy */
	const struct kvm_cpuid_entry2 *sizes = leaf(g, 0x80000008, 0);
	ck_assert_uint_eq(sizes->ecx & 0xff, 2);		      /* NC: cores - 1 */
	ck_assert_uint_eq(sizes->ecx >> 12 & 0xf, 2);		      /* ApicIdCoreIdSize */
	ck_assert_uint_eq(sizes->eax, leaf(kvm, 0x80000008, 0)->eax); /* address sizes kept */
	const struct kvm_cpuid_entry2 *ext = leaf(g, 0x8000001e, 0);
	ck_assert_uint_eq(ext->eax, 2);
	ck_assert_uint_eq(ext->ebx, 2);
	ck_assert_uint_eq(ext->ecx, 0);
	free(g);
	g = build(kvm, CPU_MODEL_HOST, 1, 0, "");
	ck_assert_uint_eq(leaf(g, 0x80000001, 0)->ecx & 2, 0);
	ck_assert_uint_eq(leaf(g, 0x80000008, 0)->ecx & 0xf0ff, 0);
	free(g);
	free(kvm);
}
END_TEST

/* Everything but the vendor, KVM's own leaves and the address sizes is the same. */
static void check_same_baseline(const struct kvm_cpuid2 *a, const struct kvm_cpuid2 *b)
{
	ck_assert_uint_eq(a->nent, b->nent);
	for (uint32_t i = 0; i < a->nent; i++) {
		const struct kvm_cpuid_entry2 *x = &a->entries[i];
		const struct kvm_cpuid_entry2 *y = leaf(b, x->function, x->index);
		if (x->function == 0 || x->function == 0x80000000) { /* AMD repeats its vendor */
			ck_assert_uint_eq(x->eax, y->eax);
		} else if (x->function == 0x80000001) { /* CmpLegacy is AMD's core count */
			ck_assert_uint_eq(x->ecx & ~2u, y->ecx & ~2u);
			ck_assert_uint_eq(x->edx, y->edx);
		} else if (x->function == 0x80000008) { /* ECX: AMD's core count; EAX sizes */
			ck_assert_uint_eq(x->ebx | x->edx, 0);
			ck_assert_uint_eq(y->ebx | y->edx, 0);
		} else if (x->function < 0x40000000 || x->function > 0x400000ff) {
			ck_assert_msg(!memcmp(&x->eax, &y->eax, 16), "leaf %#x.%u differs",
				      x->function, x->index);
		}
	}
}

START_TEST(test_baseline_same_on_intel_and_amd)
{
	struct kvm_cpuid2 *intel = load_fixture(INTEL_BRAND), *amd = load_fixture(AMD_BRAND);
	for (unsigned vcpus = 1; vcpus <= 8; vcpus *= 2) {
		struct kvm_cpuid2 *gi = build(intel, CPU_MODEL_BASELINE, vcpus, 0, "Intel host");
		struct kvm_cpuid2 *ga = build(amd, CPU_MODEL_BASELINE, vcpus, 0, "AMD host");
		check_same_baseline(gi, ga);
		char brand[49];
		brand_of(gi, brand);
		ck_assert_str_eq(brand, CPU_MODEL_BASELINE_BRAND);
		ck_assert_uint_eq(leaf(gi, 1, 0)->eax, 0xf61); /* family 15, model 6, stepping 1 */
		ck_assert_ptr_null(cpu_model_find(gi, 7, 0));  /* AVX2 and the like: not there */
		ck_assert_ptr_null(cpu_model_find(ga, 0xd, 0));
		ck_assert_uint_eq(leaf(gi, 0x80000000, 0)->eax, 0x80000008);
		/* KVM's signature stays visible. */
		ck_assert_uint_eq(leaf(ga, 0x40000000, 0)->ebx, 0x4b4d564b); /* "KVMK" */
		free(gi);
		free(ga);
	}
	free(intel);
	free(amd);
}
END_TEST

START_TEST(test_baseline_never_claims_what_kvm_lacks)
{
	/* The kvm_pvm table offers few leaf 1 features: the baseline keeps only those. */
	struct kvm_cpuid2 *kvm = load_fixture(AMD_NO_BRAND);
	struct kvm_cpuid2 *g = build(kvm, CPU_MODEL_BASELINE, 1, 0, "");
	const struct kvm_cpuid_entry2 *want = leaf(kvm, 1, 0), *got = leaf(g, 1, 0);
	ck_assert_uint_eq(got->ecx & ~(want->ecx | 1u << 31), 0);
	ck_assert_uint_eq(got->edx & ~want->edx, 0);
	free(g);
	free(kvm);
}
END_TEST

START_TEST(test_parse_and_why)
{
	enum cpu_model_kind k = CPU_MODEL_BASELINE;
	ck_assert(cpu_model_parse("host", &k) && k == CPU_MODEL_HOST);
	ck_assert(cpu_model_parse("baseline", &k) && k == CPU_MODEL_BASELINE);
	ck_assert(!cpu_model_parse("Host", &k));
	ck_assert(!cpu_model_parse("", &k));
	ck_assert_str_eq(cpu_model_name(CPU_MODEL_BASELINE), "baseline");
	ck_assert_ptr_null(cpu_model_why(CPU_MODEL_HOST, 7));
	ck_assert_ptr_nonnull(cpu_model_why(CPU_MODEL_BASELINE, 7));
	ck_assert_ptr_nonnull(cpu_model_why(CPU_MODEL_HOST, 0x80000003));
}
END_TEST

static Suite *cpu_model_suite(void)
{
	Suite *s = suite_create("cpu_model");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_empty_brand_gets_the_hosts_own);
	tcase_add_test(tc, test_kvms_brand_is_kept);
	tcase_add_test(tc, test_topology_intel);
	tcase_add_test(tc, test_topology_amd);
	tcase_add_test(tc, test_baseline_same_on_intel_and_amd);
	tcase_add_test(tc, test_baseline_never_claims_what_kvm_lacks);
	tcase_add_test(tc, test_parse_and_why);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(cpu_model_suite)
