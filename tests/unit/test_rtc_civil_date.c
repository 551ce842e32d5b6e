/* SPDX-License-Identifier: MIT */
/* rtc_civil_from_days() (vmm/devices/rtc_cmos_calendar.c), the RTC's own UTC calendar: known dates
 * around the leap-year rules (every 4 years, not every 100, again every 400), days before 1970, and
 * a day-by-day comparison with glibc's gmtime_r over 4400 years (the test may use libc's calendar;
 * the VMM does not, so it needs no time zone set-up before its sandbox). */
#include <time.h>

#include "devices/rtc_cmos.h"
#include "test_check_main.h"

struct known_day {
	int64_t days; /* since 1970-01-01 */
	int64_t year;
	unsigned month, day, weekday; /* weekday 0 = Sunday */
};

static void check_day(const struct known_day *k)
{
	struct rtc_civil_date d;
	rtc_civil_from_days(k->days, &d);
	ck_assert_msg(d.year == k->year && d.month == k->month && d.day == k->day &&
			  d.weekday == k->weekday,
		      "day %lld: got %lld-%02u-%02u wday %u, want %lld-%02u-%02u wday %u",
		      (long long)k->days, (long long)d.year, d.month, d.day, d.weekday,
		      (long long)k->year, k->month, k->day, k->weekday);
}

START_TEST(test_known_dates)
{
	static const struct known_day known[] = {
	    {0, 1970, 1, 1, 4},	      /* the epoch, a Thursday */
	    {-1, 1969, 12, 31, 3},    /* the day before */
	    {59, 1970, 3, 1, 0},      /* 1970 is not a leap year: Feb has 28 days */
	    {789, 1972, 2, 29, 2},    /* the first leap day after the epoch */
	    {10956, 1999, 12, 31, 5}, /* the eve of 2000 */
	    {10957, 2000, 1, 1, 6},
	    {11016, 2000, 2, 29, 2}, /* 2000 is divisible by 400: a leap year */
	    {11017, 2000, 3, 1, 3},
	    {11322, 2000, 12, 31, 0}, /* 366 days in 2000 */
	    {19782, 2024, 2, 29, 4},
	    {47540, 2100, 2, 28, 0},
	    {47541, 2100, 3, 1, 1},  /* 2100 is divisible by 100 only: no February 29 */
	    {-25508, 1900, 3, 1, 4}, /* nor in 1900 */
	    {-25509, 1900, 2, 28, 3},
	    {157053, 2399, 12, 31, 5},
	    {157113, 2400, 2, 29, 2}, /* the last day of a 400-year cycle */
	    {-719468, 0, 3, 1, 3},    /* proleptic: 0000-03-01 */
	    {-719469, 0, 2, 29, 2},   /* year 0 (1 BC) is a leap year */
	    {-719529, -1, 12, 31, 5},
	    {2932896, 9999, 12, 31, 5},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		check_day(&known[i]);
}
END_TEST

START_TEST(test_matches_gmtime_r_day_by_day)
{
	/* 1600-01-01 to 6000-01-01: eleven 400-year cycles, every leap rule many times. */
	const int64_t first = -135140, last = 1471927;
	for (int64_t days = first; days <= last; days++) {
		time_t t = (time_t)(days * 86400 + 43200);
		struct tm tm;
		if (!gmtime_r(&t, &tm)) /* plain ifs in the loop: each ck_assert is a write(2) */
			ck_abort_msg("gmtime_r failed for day %lld", (long long)days);
		struct rtc_civil_date d;
		rtc_civil_from_days(days, &d);
		if (d.year != tm.tm_year + 1900 || d.month != (unsigned)tm.tm_mon + 1 ||
		    d.day != (unsigned)tm.tm_mday || d.weekday != (unsigned)tm.tm_wday)
			ck_abort_msg(
			    "day %lld: %lld-%02u-%02u wday %u, gmtime_r %d-%02d-%02d wday %d",
			    (long long)days, (long long)d.year, d.month, d.day, d.weekday,
			    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_wday);
	}
	struct rtc_civil_date d;
	rtc_civil_from_days(first, &d);
	ck_assert(d.year == 1600 && d.month == 1 && d.day == 1);
	rtc_civil_from_days(last, &d);
	ck_assert(d.year == 6000 && d.month == 1 && d.day == 1);
}
END_TEST

static Suite *civil_date_suite(void)
{
	Suite *s = suite_create("rtc_civil_date");
	TCase *tc = tcase_create("calendar");
	tcase_add_test(tc, test_known_dates);
	tcase_add_test(tc, test_matches_gmtime_r_day_by_day);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(civil_date_suite)
