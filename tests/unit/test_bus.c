/* SPDX-License-Identifier: MIT */
/* The bus: range dispatch, refused overlaps, and what an unclaimed access does. */
#include <errno.h>
#include <string.h>

#include "machine/bus.h"
#include "test_check_main.h"

struct recorder {
	uint64_t last_offset;
	uint32_t last_len;
	uint8_t last_data[8];
	int reads, writes;
};

static void rec_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct recorder *r = opaque;
	r->reads++;
	r->last_offset = offset;
	r->last_len = len;
	memset(data, 0x11 * (int)(offset + 1), len);
}

static void rec_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct recorder *r = opaque;
	r->writes++;
	r->last_offset = offset;
	r->last_len = len;
	memcpy(r->last_data, data, len);
}

static const struct bus_device_ops rec_ops = {rec_read, rec_write};

START_TEST(test_dispatch_by_range_with_offsets)
{
	struct bus bus;
	struct recorder a = {0}, b = {0};
	bus_init(&bus, "io");
	ck_assert_int_eq(bus_register(&bus, 0x3f8, 8, "a", &rec_ops, &a), 0);
	ck_assert_int_eq(bus_register(&bus, 0x60, 1, "b", &rec_ops, &b), 0);
	uint8_t data[4] = {0x42};
	const struct bus_range *r = bus_access(&bus, 0x3fd, data, 1, false);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "a");
	ck_assert_int_eq(a.reads, 1);
	ck_assert_uint_eq(a.last_offset, 5);
	ck_assert_uint_eq(data[0], 0x66);
	data[0] = 0x42;
	r = bus_access(&bus, 0x60, data, 1, true);
	ck_assert_str_eq(r->name, "b");
	ck_assert_int_eq(b.writes, 1);
	ck_assert_uint_eq(b.last_offset, 0);
	ck_assert_uint_eq(b.last_data[0], 0x42);
	ck_assert_int_eq(a.writes, 0);
}
END_TEST

START_TEST(test_overlapping_registration_refused)
{
	struct bus bus;
	struct recorder a = {0};
	bus_init(&bus, "io");
	ck_assert_int_eq(bus_register(&bus, 0x100, 0x10, "a", &rec_ops, &a), 0);
	ck_assert_int_eq(bus_register(&bus, 0x10f, 1, "b", &rec_ops, &a), -EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0xf0, 0x11, "c", &rec_ops, &a), -EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0x0, 0x1000, "d", &rec_ops, &a), -EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0x110, 1, "e", &rec_ops, &a), 0); /* adjacent: fine */
	ck_assert_int_eq(bus_register(&bus, 0xff, 1, "f", &rec_ops, &a), 0);
	ck_assert_uint_eq(bus.count, 3);
}
END_TEST

START_TEST(test_bad_registrations_refused)
{
	struct bus bus;
	struct recorder a = {0};
	bus_init(&bus, "mmio");
	ck_assert_int_eq(bus_register(&bus, 0x1000, 0, "empty", &rec_ops, &a), -EINVAL);
	ck_assert_int_eq(bus_register(&bus, UINT64_MAX - 1, 4, "wraps", &rec_ops, &a), -EINVAL);
	ck_assert_int_eq(bus_register(&bus, 0x1000, 4, "no ops", NULL, &a), -EINVAL);
	for (unsigned i = 0; i < BUS_MAX_RANGES; i++)
		ck_assert_int_eq(bus_register(&bus, i * 0x10, 0x10, "x", &rec_ops, &a), 0);
	ck_assert_int_eq(bus_register(&bus, 0x10000, 1, "full", &rec_ops, &a), -ENOSPC);
}
END_TEST

START_TEST(test_unclaimed_access_reads_all_ones_and_counts)
{
	struct bus bus;
	struct recorder a = {0};
	bus_init(&bus, "io");
	ck_assert_int_eq(bus_register(&bus, 0x3f8, 8, "a", &rec_ops, &a), 0);
	uint8_t data[4] = {1, 2, 3, 4};
	ck_assert_ptr_null(bus_access(&bus, 0x2f8, data, 4, false));
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(data[i], 0xff);
	ck_assert_ptr_null(bus_access(&bus, 0x2f8, data, 2, true));
	ck_assert_uint_eq(bus.unclaimed_reads, 1);
	ck_assert_uint_eq(bus.unclaimed_writes, 1);
	ck_assert_int_eq(a.reads + a.writes, 0);
}
END_TEST

START_TEST(test_access_straddling_range_end_is_unclaimed)
{
	struct bus bus;
	struct recorder a = {0};
	bus_init(&bus, "io");
	ck_assert_int_eq(bus_register(&bus, 0x3f8, 8, "a", &rec_ops, &a), 0);
	uint8_t data[4];
	ck_assert_ptr_nonnull(bus_access(&bus, 0x3fc, data, 4, false)); /* last 4 ports */
	ck_assert_ptr_null(bus_access(&bus, 0x3fe, data, 4, false));	/* 2 of them beyond */
	ck_assert_ptr_null(bus_find(&bus, UINT64_MAX, 4));
	ck_assert_int_eq(a.reads, 1);
}
END_TEST

START_TEST(test_write_only_device_reads_all_ones)
{
	static const struct bus_device_ops write_only = {.write = rec_write};
	struct bus bus;
	struct recorder a = {0};
	bus_init(&bus, "io");
	ck_assert_int_eq(bus_register(&bus, 0x501, 4, "exit", &write_only, &a), 0);
	uint8_t data[2] = {0, 0};
	ck_assert_ptr_nonnull(bus_access(&bus, 0x501, data, 2, false));
	ck_assert_uint_eq(data[0], 0xff);
	ck_assert_uint_eq(data[1], 0xff);
	ck_assert_uint_eq(bus.unclaimed_reads, 0); /* claimed, just not readable */
}
END_TEST

/* Port 0xCF8 on a PC: a 32-bit access is CONFIG_ADDRESS, a byte at 0xCF9 the reset register. */
START_TEST(test_exact_range_claims_only_its_own_access)
{
	struct bus bus;
	struct recorder pci = {0}, reset = {0};
	bus_init(&bus, "io");
	ck_assert_int_eq(bus_register(&bus, 0xcf9, 1, "reset", &rec_ops, &reset), 0);
	ck_assert_int_eq(bus_register_exact(&bus, 0xcf8, 4, "pci", &rec_ops, &pci), 0);
	uint8_t data[4] = {0};
	ck_assert_str_eq(bus_access(&bus, 0xcf8, data, 4, false)->name, "pci");
	ck_assert_str_eq(bus_access(&bus, 0xcf9, data, 1, true)->name, "reset");
	ck_assert_ptr_null(bus_access(&bus, 0xcf8, data, 1, false)); /* not 32 bits: I/O */
	ck_assert_ptr_null(bus_access(&bus, 0xcf8, data, 2, false));
	ck_assert_ptr_null(bus_access(&bus, 0xcfa, data, 2, false));
	ck_assert_int_eq(pci.reads, 1);
	ck_assert_int_eq(reset.writes, 1);
	ck_assert_uint_eq(bus.unclaimed_reads, 3);
	/* no access may be claimed twice */
	ck_assert_int_eq(bus_register_exact(&bus, 0xcf8, 4, "twice", &rec_ops, &pci), -EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0xcf8, 8, "whole", &rec_ops, &pci), -EEXIST);
	ck_assert_int_eq(bus_register_exact(&bus, 0xcf9, 1, "reset-exact", &rec_ops, &pci),
			 -EEXIST);
	ck_assert_int_eq(bus_register_exact(&bus, 0xcf8, 2, "half", &rec_ops, &pci), 0);
	ck_assert_str_eq(bus_access(&bus, 0xcf8, data, 2, false)->name, "half");
	ck_assert_int_eq(bus_register_exact(&bus, 0x10, 0, "empty", &rec_ops, &pci), -EINVAL);
}
END_TEST

static Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("dispatch");
	tcase_add_test(tc, test_dispatch_by_range_with_offsets);
	tcase_add_test(tc, test_overlapping_registration_refused);
	tcase_add_test(tc, test_bad_registrations_refused);
	tcase_add_test(tc, test_unclaimed_access_reads_all_ones_and_counts);
	tcase_add_test(tc, test_access_straddling_range_end_is_unclaimed);
	tcase_add_test(tc, test_write_only_device_reads_all_ones);
	tcase_add_test(tc, test_exact_range_claims_only_its_own_access);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(bus_suite)
