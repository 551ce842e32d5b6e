/* SPDX-License-Identifier: MIT */
/* Guest-physical bounds: the one gate between guest-controlled addresses and host memory. */
#include <stdint.h>
#include <stdlib.h>

#include "machine/guest_mem.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"

static uint8_t ram[1 << 16];
static struct guest_mem mem;

static void setup(void)
{
	guest_mem_wrap(&mem, ram, sizeof ram);
}

START_TEST(test_inside_ranges_translate)
{
	ck_assert_ptr_eq(guest_mem_gpa_to_hva(&mem, 0, 1), ram);
	ck_assert_ptr_eq(guest_mem_gpa_to_hva(&mem, 0x100, 16), ram + 0x100);
	ck_assert_ptr_eq(guest_mem_gpa_to_hva(&mem, 0, sizeof ram), ram);
}
END_TEST

START_TEST(test_edges)
{
	/* The last byte is in; one past it is out; a zero-length range at the end is in. */
	ck_assert_ptr_eq(guest_mem_gpa_to_hva(&mem, sizeof ram - 1, 1), ram + sizeof ram - 1);
	ck_assert_ptr_null(guest_mem_gpa_to_hva(&mem, sizeof ram - 1, 2));
	ck_assert_ptr_null(guest_mem_gpa_to_hva(&mem, sizeof ram, 1));
	ck_assert_ptr_eq(guest_mem_gpa_to_hva(&mem, sizeof ram, 0), ram + sizeof ram);
	ck_assert_ptr_null(guest_mem_gpa_to_hva(&mem, sizeof ram + 1, 0));
}
END_TEST

START_TEST(test_overflowing_ranges_refused)
{
	/* gpa + len wraps around to a small number: a naive check would accept these. */
	ck_assert_ptr_null(guest_mem_gpa_to_hva(&mem, UINT64_MAX, 2));
	ck_assert_ptr_null(guest_mem_gpa_to_hva(&mem, 16, UINT64_MAX));
	ck_assert_ptr_null(guest_mem_gpa_to_hva(&mem, UINT64_MAX - 15, 32));
	ck_assert(!guest_mem_range_ok(&mem, 0x8000, UINT64_MAX - 0x7fff));
}
END_TEST

START_TEST(test_ranges_overlap)
{
	ck_assert(ranges_overlap(0, 10, 5, 10));
	ck_assert(ranges_overlap(5, 10, 0, 10));
	ck_assert(!ranges_overlap(0, 10, 10, 10)); /* adjacent */
	ck_assert(!ranges_overlap(10, 10, 0, 10));
	ck_assert(!ranges_overlap(0, 0, 0, 10));		     /* empty */
	ck_assert(ranges_overlap(UINT64_MAX - 1, 2, UINT64_MAX, 1)); /* at the very top */
	ck_assert(ranges_overlap(0, UINT64_MAX, UINT64_MAX - 1, 1));
}
END_TEST

START_TEST(test_init_rejects_bad_sizes)
{
	struct guest_mem m;
	struct vmm_error err;
	ck_assert_int_lt(guest_mem_init(&m, MINIVMM_RAM_MIN - 4096, &err), 0);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_int_lt(guest_mem_init(&m, MINIVMM_RAM_MAX + 4096, &err), 0);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_int_lt(guest_mem_init(&m, (4ull << 20) + 1, &err), 0);
	ck_assert_str_eq(err.msg, "guest memory of 4194305 bytes is not a whole number of 4 KiB "
				  "pages: round -m to a multiple of 4K");
}
END_TEST

START_TEST(test_init_maps_and_destroys)
{
	struct guest_mem m;
	struct vmm_error err;
	ck_assert_int_eq(guest_mem_init(&m, 8u << 20, &err), 0);
	uint8_t *last = guest_mem_gpa_to_hva(&m, (8u << 20) - 1, 1);
	ck_assert_ptr_nonnull(last);
	ck_assert_int_eq(*last, 0); /* anonymous memory starts zeroed */
	*last = 0x5a;
	guest_mem_destroy(&m);
	ck_assert_ptr_null(m.host);
	ck_assert_ptr_null(guest_mem_gpa_to_hva(&m, 0, 1));
}
END_TEST

static Suite *guest_mem_suite(void)
{
	Suite *s = suite_create("guest_mem");
	TCase *tc = tcase_create("bounds");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_inside_ranges_translate);
	tcase_add_test(tc, test_edges);
	tcase_add_test(tc, test_overflowing_ranges_refused);
	tcase_add_test(tc, test_ranges_overlap);
	suite_add_tcase(s, tc);
	TCase *init = tcase_create("init");
	tcase_add_test(init, test_init_rejects_bad_sizes);
	tcase_add_test(init, test_init_maps_and_destroys);
	suite_add_tcase(s, init);
	return s;
}

CHECK_MAIN(guest_mem_suite)
