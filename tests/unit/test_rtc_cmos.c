/* SPDX-License-Identifier: MIT */
/* The CMOS RTC (vmm/devices/rtc_cmos.c) against the MC146818A datasheet: BCD and binary, 24- and
 * 12-hour modes, the calendar bytes, status registers A-D, plain RAM and the 0x70/0x71 port
 * pair. The update cycle and interrupts: test_rtc_cmos_update.c. */
#include "rtc_cmos_fixture.h"

START_TEST(test_default_is_bcd_24_hour)
{
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_B), RTC_B_24H);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x09);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_MINUTES), 0x05);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_HOURS), 0x13);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_DAY_OF_WEEK), 5); /* Thursday, Sunday = 1 */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_DAY_OF_MONTH), 0x29);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_MONTH), 0x02);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_YEAR), 0x24);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_CENTURY), 0x20);
}
END_TEST

START_TEST(test_binary_mode)
{
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_24H | RTC_B_BINARY);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 9);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_HOURS), 13);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_DAY_OF_MONTH), 29);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_YEAR), 24);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_CENTURY), 20);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_24H); /* and back to BCD */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_DAY_OF_MONTH), 0x29);
}
END_TEST

START_TEST(test_12_hour_mode_sets_pm_bit)
{
	rtc_cmos_write(&rtc, RTC_REG_B, 0); /* 12-hour, BCD */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_HOURS), RTC_HOUR_PM_BIT | 0x01);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_BINARY); /* 12-hour, binary */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_HOURS), RTC_HOUR_PM_BIT | 1);
	at(-13 * 3600, 0); /* 00:05:09: the midnight hour is 12 AM */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_HOURS), 12);
	at(-3600, 0); /* 12:05:09: noon is 12 PM */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_HOURS), RTC_HOUR_PM_BIT | 12);
}
END_TEST

START_TEST(test_date_rolls_over_leap_day)
{
	at(10 * 3600 + 54 * 60 + 50, 0); /* 2024-02-29 23:59:59 */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x59);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_DAY_OF_MONTH), 0x29);
	at(10 * 3600 + 54 * 60 + 51, 0); /* 2024-03-01 00:00:00, a Friday */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_HOURS), 0x00);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_DAY_OF_MONTH), 0x01);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_MONTH), 0x03);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_DAY_OF_WEEK), 6);
}
END_TEST

START_TEST(test_status_registers)
{
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A), 0x26);
	rtc_cmos_write(&rtc, RTC_REG_A, 0xa6); /* UIP is read-only */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A), 0x26);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0); /* no time has passed */
	rtc_cmos_write(&rtc, RTC_REG_C, 0xf0);		      /* read-only */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_D), RTC_D_VALID);
	rtc_cmos_write(&rtc, RTC_REG_D, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_D), RTC_D_VALID);
}
END_TEST

START_TEST(test_ram_and_clock_writes)
{
	rtc_cmos_write(&rtc, 0x0e, 0xab);
	rtc_cmos_write(&rtc, 0x7f, 0xcd);
	rtc_cmos_write(&rtc, RTC_REG_SECONDS_ALARM, 0x30); /* stored */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, 0x0e), 0xab);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, 0x7f), 0xcd);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS_ALARM), 0x30);
	rtc_cmos_write(&rtc, RTC_REG_SECONDS, 0x55); /* the host clock cannot be set */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x09);
}
END_TEST

START_TEST(test_ports_index_then_data)
{
	uint8_t index = 0x80 | RTC_REG_HOURS; /* bit 7: the PC's NMI mask, ignored */
	uint8_t value = 0;
	rtc_cmos_bus_ops.write(&rtc, 0, &index, 1);
	rtc_cmos_bus_ops.read(&rtc, 1, &value, 1);
	ck_assert_uint_eq(value, 0x13);
	index = 0x40;
	uint8_t stored = 0x5a;
	rtc_cmos_bus_ops.write(&rtc, 0, &index, 1);
	rtc_cmos_bus_ops.write(&rtc, 1, &stored, 1);
	rtc_cmos_bus_ops.read(&rtc, 1, &value, 1);
	ck_assert_uint_eq(value, 0x5a);
	uint8_t pair[2] = {RTC_REG_MONTH, 0}; /* a 2-byte access at 0x70: index, then data */
	rtc_cmos_bus_ops.write(&rtc, 0, pair, 1);
	rtc_cmos_bus_ops.read(&rtc, 0, pair, 2);
	ck_assert_uint_eq(pair[0], RTC_REG_MONTH);
	ck_assert_uint_eq(pair[1], 0x02);
}
END_TEST

START_TEST(test_real_clock_is_utc_now)
{
	struct rtc_cmos real;
	rtc_cmos_init(&real, NULL);
	rtc_cmos_write(&real, RTC_REG_B, RTC_B_24H | RTC_B_BINARY);
	int64_t before = rtc_cmos_now(&real) / NS;
	unsigned minute = rtc_cmos_read(&real, RTC_REG_MINUTES);
	int64_t after = rtc_cmos_now(&real) / NS;
	ck_assert(minute == (unsigned)(before / 60 % 60) || minute == (unsigned)(after / 60 % 60));
	rtc_cmos_destroy(&real);
}
END_TEST

static Suite *rtc_cmos_suite(void)
{
	Suite *s = suite_create("rtc_cmos");
	TCase *tc = tcase_create("registers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_default_is_bcd_24_hour);
	tcase_add_test(tc, test_binary_mode);
	tcase_add_test(tc, test_12_hour_mode_sets_pm_bit);
	tcase_add_test(tc, test_date_rolls_over_leap_day);
	tcase_add_test(tc, test_status_registers);
	tcase_add_test(tc, test_ram_and_clock_writes);
	tcase_add_test(tc, test_ports_index_then_data);
	tcase_add_test(tc, test_real_clock_is_utc_now);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(rtc_cmos_suite)
