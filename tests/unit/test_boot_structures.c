/* SPDX-License-Identifier: MIT */
/* The long-mode boot state the VMM builds: page tables (walked, not just inspected), GDT, and
 * the register values KVM gets. */
#include <stdlib.h>
#include <string.h>

#include "minivmm/boot_abi.h"
#include "test_check_main.h"
#include "x86/long_mode.h"

static struct guest_mem mem;
static void *ram;

static void setup(void)
{
	ram = calloc(1, 4u << 20);
	guest_mem_wrap(&mem, ram, 4u << 20);
	struct vmm_error err;
	ck_assert_int_eq(x86_build_boot_structures(&mem, &err), 0);
}

static void teardown(void)
{
	free(ram);
}

START_TEST(test_identity_map_translates)
{
	static const uint64_t addrs[] = {0,	     0x1000,	 0x100000,   0x1fffff,
					 0x200000,   0x3fffffff, 0x40000000, 0xc0000000,
					 0xfee00000, 0xffffffff};
	for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		uint64_t pa = ~0ull;
		ck_assert_int_eq(x86_translate(&mem, MINIVMM_PML4_GPA, addrs[i], &pa), 0);
		ck_assert_uint_eq(pa, addrs[i]);
	}
}
END_TEST

START_TEST(test_beyond_4gib_unmapped)
{
	uint64_t pa;
	ck_assert_int_lt(x86_translate(&mem, MINIVMM_PML4_GPA, 0x100000000ull, &pa), 0);
	ck_assert_int_lt(x86_translate(&mem, MINIVMM_PML4_GPA, 0xffff800000000000ull, &pa), 0);
}
END_TEST

START_TEST(test_entries_are_supervisor_writable_large)
{
	const uint64_t *pd = guest_mem_gpa_to_hva(&mem, MINIVMM_PD_GPA, 8);
	ck_assert_uint_eq(pd[0] & (X86_PTE_PRESENT | X86_PTE_WRITABLE | X86_PTE_LARGE),
			  X86_PTE_PRESENT | X86_PTE_WRITABLE | X86_PTE_LARGE);
	ck_assert_uint_eq(pd[0] & X86_PTE_USER, 0); /* user access is the guest kernel's call */
	const uint64_t *pml4 = guest_mem_gpa_to_hva(&mem, MINIVMM_PML4_GPA, 8 * 512);
	for (int i = 1; i < 512; i++)
		ck_assert_uint_eq(pml4[i], 0);
}
END_TEST

START_TEST(test_structures_stay_in_reserved_pages)
{
	ck_assert_uint_lt(MINIVMM_PD_GPA + MINIVMM_PD_COUNT * 0x1000, MINIVMM_BOOT_STACK_TOP);
	ck_assert_uint_le(MINIVMM_BOOT_STACK_TOP, MINIVMM_RESERVED_END);
	/* Nothing written above the reserved pages. */
	const uint8_t *above = guest_mem_gpa_to_hva(&mem, MINIVMM_RESERVED_END, 0x10000);
	for (int i = 0; i < 0x10000; i++)
		ck_assert_uint_eq(above[i], 0);
}
END_TEST

START_TEST(test_gdt_and_sregs_agree)
{
	struct kvm_sregs s;
	memset(&s, 0, sizeof s);
	x86_long_mode_sregs(&s);
	ck_assert_uint_eq(s.cr3, MINIVMM_PML4_GPA);
	ck_assert(s.cr0 & X86_CR0_PG && s.cr0 & X86_CR0_PE);
	ck_assert(s.cr4 & X86_CR4_PAE);
	ck_assert(s.efer & X86_EFER_LMA && s.efer & X86_EFER_LME);
	ck_assert_uint_eq(s.cs.l, 1);
	ck_assert_uint_eq(s.cs.db, 0); /* L and D both set is reserved */
	const uint64_t *gdt = guest_mem_gpa_to_hva(&mem, s.gdt.base, s.gdt.limit + 1u);
	ck_assert_ptr_nonnull(gdt);
	uint64_t code = gdt[s.cs.selector >> 3];
	ck_assert_uint_eq((code >> 53) & 1, 1);			   /* L bit of the descriptor */
	ck_assert_uint_eq((code >> 47) & 1, 1);			   /* present */
	ck_assert_uint_eq((gdt[s.ds.selector >> 3] >> 43) & 1, 0); /* data, not code */
}
END_TEST

START_TEST(test_entry_registers)
{
	struct kvm_regs r;
	x86_long_mode_regs(&r, 0x100123);
	ck_assert_uint_eq(r.rip, 0x100123);
	ck_assert_uint_eq(r.rdi, MINIVMM_BOOT_INFO_GPA);
	ck_assert_uint_eq(r.rsi, MINIVMM_BOOT_MAGIC);
	ck_assert_uint_eq(r.rflags & (1u << 9), 0); /* interrupts off */
	ck_assert_uint_eq(r.rsp, MINIVMM_BOOT_STACK_TOP);
}
END_TEST

START_TEST(test_too_small_ram_refused)
{
	uint8_t small[0x8000];
	struct guest_mem m;
	struct vmm_error err;
	guest_mem_wrap(&m, small, sizeof small);
	ck_assert_int_lt(x86_build_boot_structures(&m, &err), 0);
}
END_TEST

static Suite *boot_suite(void)
{
	Suite *s = suite_create("boot_structures");
	TCase *tc = tcase_create("long_mode");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identity_map_translates);
	tcase_add_test(tc, test_beyond_4gib_unmapped);
	tcase_add_test(tc, test_entries_are_supervisor_writable_large);
	tcase_add_test(tc, test_structures_stay_in_reserved_pages);
	tcase_add_test(tc, test_gdt_and_sregs_agree);
	tcase_add_test(tc, test_entry_registers);
	tcase_add_test(tc, test_too_small_ram_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(boot_suite)
