/* SPDX-License-Identifier: MIT */
/* The CMOS RTC's update cycle and interrupts (vmm/devices/rtc_cmos.c, MC146818A datasheet
 * "Update Cycle", "Interrupts", registers A-C): UIP in the 244 us before each update, UF once
 * per second, SET and the divider stopping the clock, the periodic flag at the selected rate
 * (1024 Hz at most), the alarm with its "don't care" bytes, IRQF and the IRQ line (raised with
 * its flag, lowered by reading register C), the times the timer is asked to wake at, a host
 * clock stepping back, and the RESET pin. Time is injected: no test sleeps. */
#include "rtc_cmos_fixture.h"

START_TEST(test_uip_in_the_244_us_before_an_update)
{
	at(0, UIP_START_NS - 1);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A) & RTC_A_UIP, 0);
	at(0, UIP_START_NS);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A), RTC_A_UIP | 0x26);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x09); /* not updated yet */
	at(0, NS - 1);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
	at(1, 0); /* the update: new second, UIP clear */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A) & RTC_A_UIP, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x10);
	/* No updates, no warning: SET, or a stopped divider. */
	at(1, UIP_START_NS);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A) & RTC_A_UIP, 0);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_24H);
	rtc_cmos_write(&rtc, RTC_REG_A, 0x66); /* DV = 110: divider chain held in reset */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A), 0x66);
}
END_TEST

START_TEST(test_update_flag_once_per_second_cleared_by_read)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x20); /* no periodic flag to mix in */
	at(0, NS / 2);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	at(1, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_UF); /* UIE off: no IRQF */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);	     /* read clears */
	at(1, NS - 1);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	at(7, 0); /* six updates unread: one flag */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_UF);
	ck_assert_uint_eq(seen.raises, 0);
}
END_TEST

START_TEST(test_set_stops_updates_and_clears_uie)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x20);
	at(0, NS / 2);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_SET | RTC_B_UIE | RTC_B_24H);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_B), RTC_B_SET | RTC_B_24H);
	at(3, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x09); /* frozen */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);	       /* no update, no UF */
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_24H);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x12); /* the host's time again */
	at(4, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_UF);
}
END_TEST

START_TEST(test_stopped_divider_freezes_everything)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x6f); /* DV = 110 (reset), 2 Hz periodic */
	at(2, NS / 2);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x09);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0); /* no UF, no PF */
	rtc_cmos_write(&rtc, RTC_REG_A, 0x2f);		      /* running again */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 0x11);
	at(2, NS / 2 + NS / 4);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	at(3, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_PF | RTC_C_UF);
}
END_TEST

START_TEST(test_periodic_flag_at_the_selected_rate)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x2f); /* 2 Hz: every 500 ms */
	at(0, NS / 2 - 1);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	at(0, NS / 2);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_PF);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	/* Rate 1 is 256 Hz (3.90625 ms), not 32.768 kHz / 2: the 32.768 kHz column of the table. */
	rtc_cmos_write(&rtc, RTC_REG_A, 0x21);
	at(0, NS / 2 + 3906249);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	at(0, NS / 2 + 3906250);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_PF);
	rtc_cmos_write(&rtc, RTC_REG_A, 0x20); /* rate 0: none */
	at(0, NS / 2 + NS / 4);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
}
END_TEST

START_TEST(test_periodic_interrupt_raises_and_read_lowers_the_line)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x2a); /* 64 Hz: 15.625 ms */
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_PIE | RTC_B_24H);
	ck_assert_int_eq(seen.next_event, (FIXED_SECOND * NS) + 15625000);
	ck_assert_int_eq(rtc_cmos_service(&rtc), FIXED_SECOND * NS + 15625000);
	at(0, 15625000);
	ck_assert_int_eq(rtc_cmos_service(&rtc), RTC_NO_EVENT); /* up until C is read */
	ck_assert(seen.level);
	ck_assert_uint_eq(seen.raises, 1);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	ck_assert(!seen.level);
	ck_assert_int_eq(seen.next_event, FIXED_SECOND * NS + 31250000); /* the next tick */
	/* Disabling PIE with PF pending drops IRQF and the line; enabling it raises them. */
	at(0, 31250000);
	ck_assert_int_eq(rtc_cmos_service(&rtc), RTC_NO_EVENT);
	ck_assert_uint_eq(seen.raises, 2);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_24H);
	ck_assert(!seen.level);
	ck_assert_int_eq(seen.next_event, RTC_NO_EVENT);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_PIE | RTC_B_24H);
	ck_assert(seen.level);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
}
END_TEST

START_TEST(test_rates_above_1024_hz_run_at_1024_hz)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x23); /* 8192 Hz asked for */
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_PIE | RTC_B_24H);
	ck_assert_int_eq(rtc_cmos_service(&rtc), FIXED_SECOND * NS + 976563); /* 1/1024 s */
	at(0, 976562); /* five 8192 Hz periods, not one 1024 Hz period */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	ck_assert_int_eq(seen.next_event, FIXED_SECOND * NS + 976563);
	at(0, 976563);
	ck_assert_int_eq(rtc_cmos_service(&rtc), RTC_NO_EVENT);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	/* A guest that acknowledges at once is served again at the next 1/1024 s, not sooner. */
	ck_assert_int_eq(seen.next_event, FIXED_SECOND * NS + 2 * 976562 + 1);
	at(0, 2 * 976562);
	ck_assert_int_eq(rtc_cmos_service(&rtc), FIXED_SECOND * NS + 2 * 976562 + 1);
	ck_assert_uint_eq(seen.raises, 1);
	rtc_cmos_write(&rtc, RTC_REG_A, 0x25); /* 2048 Hz: the same */
	ck_assert_int_eq(seen.next_event, FIXED_SECOND * NS + 2 * 976562 + 1);
}
END_TEST

START_TEST(test_alarm_matches_with_dont_care_bytes)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x20);
	rtc_cmos_write(&rtc, RTC_REG_SECONDS_ALARM, 0x30);
	rtc_cmos_write(&rtc, RTC_REG_MINUTES_ALARM, 0xc0); /* 11xxxxxx: any minute */
	rtc_cmos_write(&rtc, RTC_REG_HOURS_ALARM, 0xff);   /* any hour */
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_AIE | RTC_B_24H);
	ck_assert_int_eq(seen.next_event, (FIXED_SECOND + 1) * NS); /* checked at each update */
	at(20, 0);						    /* 13:05:29 */
	ck_assert_int_eq(rtc_cmos_service(&rtc), (FIXED_SECOND + 21) * NS);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_UF); /* UF without UIE */
	ck_assert(!seen.level);
	at(21, 0); /* 13:05:30 */
	ck_assert_int_eq(rtc_cmos_service(&rtc), RTC_NO_EVENT);
	ck_assert(seen.level);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	ck_assert(!seen.level);
	at(81, 0); /* 13:06:30 again, a minute of updates unread: one AF */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
}
END_TEST

START_TEST(test_alarm_compares_in_the_current_format)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x20);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_BINARY); /* 12-hour binary: 1 PM is 0x81 */
	rtc_cmos_write(&rtc, RTC_REG_SECONDS_ALARM, 10);
	rtc_cmos_write(&rtc, RTC_REG_MINUTES_ALARM, 5);
	rtc_cmos_write(&rtc, RTC_REG_HOURS_ALARM, RTC_HOUR_PM_BIT | 1);
	at(1, 0); /* 13:05:10 */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_AF | RTC_C_UF);
	/* 10xxxxxx is no "don't care": "13 PM" never matches. */
	rtc_cmos_write(&rtc, RTC_REG_HOURS_ALARM, RTC_HOUR_PM_BIT | 13);
	at(1 + 86400, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_UF);
	rtc_cmos_write(&rtc, RTC_REG_HOURS_ALARM, 13); /* the 24-hour value does not match */
	at(1 + 2 * 86400, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_UF);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_BINARY | RTC_B_24H); /* in 24-hour mode it does, */
	at(1 + 3 * 86400 + 3600, 0); /* at 13:05:10 a day ago, unread since: the flag stays */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_AF | RTC_C_UF);
	rtc_cmos_write(&rtc, RTC_REG_HOURS_ALARM, 25); /* no such hour: never, even over 10 days */
	at(1 + 13 * 86400, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_UF);
}
END_TEST

START_TEST(test_update_interrupt_and_timer_schedule)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x20);
	ck_assert_int_eq(rtc_cmos_service(&rtc), RTC_NO_EVENT); /* nothing enabled */
	at(0, 300);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_UIE | RTC_B_24H);
	ck_assert_uint_eq(seen.raises, 0);
	ck_assert_int_eq(rtc_cmos_service(&rtc), (FIXED_SECOND + 1) * NS);
	at(1, 0);
	ck_assert_int_eq(rtc_cmos_service(&rtc), RTC_NO_EVENT);
	ck_assert_uint_eq(seen.raises, 1);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
	ck_assert_int_eq(seen.next_event, (FIXED_SECOND + 2) * NS);
	/* A stopped clock has no events to wait for. */
	rtc_cmos_write(&rtc, RTC_REG_A, 0x00);
	ck_assert_int_eq(seen.next_event, RTC_NO_EVENT);
}
END_TEST

START_TEST(test_host_clock_stepping_back_is_harmless)
{
	rtc_cmos_write(&rtc, RTC_REG_A, 0x20);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_UIE | RTC_B_24H);
	at(-3600, 0); /* NTP stepped the host clock back an hour */
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_HOURS), 0x12);
	ck_assert_int_eq(rtc_cmos_service(&rtc), (FIXED_SECOND - 3599) * NS);
	at(-3599, 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
}
END_TEST

START_TEST(test_reset_pin_clears_interrupts_keeps_time_and_ram)
{
	rtc_cmos_write(&rtc, 0x20, 0x77);
	rtc_cmos_write(&rtc, RTC_REG_A, 0x2f);
	rtc_cmos_write(&rtc, RTC_REG_B, RTC_B_PIE | RTC_B_AIE | RTC_B_SQWE | RTC_B_BINARY);
	at(1, 0);
	ck_assert_int_eq(rtc_cmos_service(&rtc), RTC_NO_EVENT);
	ck_assert(seen.level);
	rtc_cmos_reset(&rtc);
	ck_assert(!seen.level);
	ck_assert_int_eq(seen.next_event, RTC_NO_EVENT);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_B), RTC_B_BINARY);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_C), 0);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_A), 0x2f);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, 0x20), 0x77);
	ck_assert_uint_eq(rtc_cmos_read(&rtc, RTC_REG_SECONDS), 10);
}
END_TEST

static Suite *rtc_cmos_update_suite(void)
{
	Suite *s = suite_create("rtc_cmos_update");
	TCase *tc = tcase_create("update cycle and interrupts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_uip_in_the_244_us_before_an_update);
	tcase_add_test(tc, test_update_flag_once_per_second_cleared_by_read);
	tcase_add_test(tc, test_set_stops_updates_and_clears_uie);
	tcase_add_test(tc, test_stopped_divider_freezes_everything);
	tcase_add_test(tc, test_periodic_flag_at_the_selected_rate);
	tcase_add_test(tc, test_periodic_interrupt_raises_and_read_lowers_the_line);
	tcase_add_test(tc, test_rates_above_1024_hz_run_at_1024_hz);
	tcase_add_test(tc, test_alarm_matches_with_dont_care_bytes);
	tcase_add_test(tc, test_alarm_compares_in_the_current_format);
	tcase_add_test(tc, test_update_interrupt_and_timer_schedule);
	tcase_add_test(tc, test_host_clock_stepping_back_is_harmless);
	tcase_add_test(tc, test_reset_pin_clears_interrupts_keeps_time_and_ram);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(rtc_cmos_update_suite)
