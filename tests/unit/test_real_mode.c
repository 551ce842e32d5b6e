/* SPDX-License-Identifier: MIT */
/* The real-mode entry state (vmm/x86/real_mode.c) an ACPI S3 resume uses: a waking vector V is
 * entered at CS = V >> 4, IP = V & 0xF (ACPI 6.5 5.2.10), with the segments of real mode. */
#include <string.h>

#include "x86/real_mode.h"
#include "test_check_main.h"

START_TEST(test_waking_vector_as_cs_and_ip)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	memset(&sregs, 0xa5, sizeof sregs); /* whatever the old context left */
	uint32_t vector = 0x9a345;
	x86_real_mode_sregs(&sregs, (uint16_t)(vector >> 4));
	x86_real_mode_regs(&regs, (uint16_t)(vector & 0xf));
	ck_assert_uint_eq(sregs.cs.selector, 0x9a34);
	ck_assert_uint_eq(sregs.cs.base + regs.rip, vector);
	ck_assert_uint_eq(sregs.cs.limit, 0xffff);
	ck_assert_uint_eq(sregs.cs.db, 0); /* 16-bit */
	ck_assert_uint_eq(sregs.ds.base, 0);
	ck_assert_uint_eq(sregs.ss.selector, 0);
	ck_assert_uint_eq(sregs.cr0 & 0x80000001u, 0); /* PE and PG clear */
	ck_assert_uint_eq(sregs.efer, 0);
	ck_assert_uint_eq(sregs.cr4, 0);
	ck_assert_uint_eq(sregs.idt.base, 0);
	ck_assert_uint_eq(sregs.idt.limit, 0x3ff);
	ck_assert_uint_eq(regs.rflags, 0x2); /* IF clear */
	ck_assert_uint_eq(regs.rsp, 0);
}
END_TEST

static Suite *real_mode_suite(void)
{
	Suite *s = suite_create("real_mode");
	TCase *tc = tcase_create("entry");
	tcase_add_test(tc, test_waking_vector_as_cs_and_ip);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(real_mode_suite)
