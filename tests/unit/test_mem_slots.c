/* SPDX-License-Identifier: MIT */
/* Splitting the RAM slot around read-only pages (vmm/machine/mem_slots.c): the runs cover RAM
 * exactly once, in order, read-only where asked, merged where adjacent; bad pages refused. */
#include <errno.h>

#include "machine/mem_slots.h"
#include "test_check_main.h"

#define MiB (1ull << 20)
#define P   MEM_SLOTS_PAGE

/* Every byte of RAM in exactly one slot, in address order. */
static void check_covers(const struct mem_slot_layout *l, uint64_t ram)
{
	uint64_t at = 0;
	for (unsigned i = 0; i < l->count; i++) {
		ck_assert_uint_eq(l->slot[i].gpa, at);
		ck_assert_uint_gt(l->slot[i].size, 0);
		at += l->slot[i].size;
	}
	ck_assert_uint_eq(at, ram);
}

START_TEST(test_no_pages_is_one_slot)
{
	struct mem_slot_layout l;
	ck_assert_int_eq(mem_slots_layout(64 * MiB, NULL, 0, &l), 0);
	ck_assert_uint_eq(l.count, 1);
	ck_assert_uint_eq(l.slot[0].size, 64 * MiB);
	ck_assert(!l.slot[0].readonly);
}
END_TEST

START_TEST(test_one_page_in_the_middle)
{
	struct mem_slot_layout l;
	uint64_t page = 0x203000;
	ck_assert_int_eq(mem_slots_layout(64 * MiB, &page, 1, &l), 0);
	ck_assert_uint_eq(l.count, 3);
	check_covers(&l, 64 * MiB);
	ck_assert_uint_eq(l.slot[0].size, 0x203000);
	ck_assert(l.slot[1].readonly);
	ck_assert_uint_eq(l.slot[1].gpa, 0x203000);
	ck_assert_uint_eq(l.slot[1].size, P);
	ck_assert(!l.slot[2].readonly);
}
END_TEST

START_TEST(test_edges_adjacent_and_duplicates)
{
	struct mem_slot_layout l;
	/* First and last page, unsorted, two adjacent ones and a duplicate. */
	uint64_t pages[] = {64 * MiB - P, 0x5000, 0, 0x4000, 0x5000};
	ck_assert_int_eq(mem_slots_layout(64 * MiB, pages, 5, &l), 0);
	check_covers(&l, 64 * MiB);
	ck_assert_uint_eq(l.count, 5);
	ck_assert(l.slot[0].readonly); /* page 0 */
	ck_assert_uint_eq(l.slot[0].size, P);
	ck_assert(!l.slot[1].readonly);
	ck_assert(l.slot[2].readonly); /* 0x4000 and 0x5000 merged */
	ck_assert_uint_eq(l.slot[2].gpa, 0x4000);
	ck_assert_uint_eq(l.slot[2].size, 2 * P);
	ck_assert(!l.slot[3].readonly);
	ck_assert(l.slot[4].readonly);
	ck_assert_uint_eq(l.slot[4].gpa, 64 * MiB - P);
}
END_TEST

START_TEST(test_bad_pages_refused)
{
	struct mem_slot_layout l;
	uint64_t unaligned = 0x2001, beyond = 64 * MiB, huge = UINT64_MAX & ~(P - 1);
	ck_assert_int_eq(mem_slots_layout(64 * MiB, &unaligned, 1, &l), -EINVAL);
	ck_assert_int_eq(mem_slots_layout(64 * MiB, &beyond, 1, &l), -EINVAL);
	ck_assert_int_eq(mem_slots_layout(64 * MiB, &huge, 1, &l), -EINVAL);
	uint64_t many[MEM_SLOTS_MAX_RO_PAGES + 1];
	for (unsigned i = 0; i < MEM_SLOTS_MAX_RO_PAGES + 1; i++)
		many[i] = 2 * P * i;
	ck_assert_int_eq(mem_slots_layout(64 * MiB, many, MEM_SLOTS_MAX_RO_PAGES + 1, &l), -EINVAL);
	/* The most there may be: every other page, 2n + 1 slots. */
	ck_assert_int_eq(mem_slots_layout(64 * MiB, many + 1, MEM_SLOTS_MAX_RO_PAGES, &l), 0);
	ck_assert_uint_eq(l.count, MEM_SLOTS_MAX);
	check_covers(&l, 64 * MiB);
}
END_TEST

static Suite *mem_slots_suite(void)
{
	Suite *s = suite_create("mem_slots");
	TCase *tc = tcase_create("layout");
	tcase_add_test(tc, test_no_pages_is_one_slot);
	tcase_add_test(tc, test_one_page_in_the_middle);
	tcase_add_test(tc, test_edges_adjacent_and_duplicates);
	tcase_add_test(tc, test_bad_pages_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(mem_slots_suite)
