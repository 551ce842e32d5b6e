/* SPDX-License-Identifier: MIT */
/*
 * The RTC's calendar: a day number as a proleptic Gregorian date in UTC, so that the clock needs
 * no libc time conversion (gmtime_r makes glibc read /etc/localtime first, which the sandbox
 * would then have to allow or pre-empt). Leap years: every fourth year, except the century
 * years, except those divisible by 400. Checked day by day against gmtime_r over 4400 years
 * in tests/unit/test_rtc_civil_date.c.
 */
#include "devices/rtc_cmos.h"

/* Days from 0000-03-01 to 1970-01-01: the count below starts its years in March. */
#define DAYS_FROM_YEAR_0_MARCH 719468
#define DAYS_PER_400_YEARS     146097 /* 97 leap years in 400 */
#define DAYS_PER_100_YEARS     36524  /* 24 leap years, when the century year is not one */
#define DAYS_PER_4_YEARS       1461

void rtc_civil_from_days(int64_t days, struct rtc_civil_date *date)
{
	/* Years counted from March put February 29, the only irregular day, at the end of each
	 * year, so every step below divides by a fixed length and clamps the last, longer part:
	 * the fourth 100-year block of a 400-year cycle and the fourth year of a 4-year block end
	 * with the extra day. Day 0 of a March-based month: */
	static const unsigned month_start[12] = {0,   31,  61,	92,  122, 153,
						 184, 214, 245, 275, 306, 337}; /* Mar-Feb */
	int64_t since_march_0 = days + DAYS_FROM_YEAR_0_MARCH;
	int64_t cycles_400 = rtc_floor_div(since_march_0, DAYS_PER_400_YEARS);
	int64_t day_of_400 = since_march_0 - cycles_400 * DAYS_PER_400_YEARS;
	int64_t centuries = day_of_400 / DAYS_PER_100_YEARS;
	if (centuries > 3)
		centuries = 3; /* the last day of a 400-year cycle, a February 29 */
	int64_t day_of_100 = day_of_400 - centuries * DAYS_PER_100_YEARS;
	int64_t blocks_4 = day_of_100 / DAYS_PER_4_YEARS;
	int64_t day_of_4 = day_of_100 - blocks_4 * DAYS_PER_4_YEARS;
	int64_t years = day_of_4 / 365;
	if (years > 3)
		years = 3; /* February 29 of a leap year */
	unsigned day_of_year = (unsigned)(day_of_4 - years * 365);
	unsigned month_index = 11;
	while (month_start[month_index] > day_of_year)
		month_index--;
	date->day = day_of_year - month_start[month_index] + 1;
	date->month = month_index < 10 ? month_index + 3 : month_index - 9;
	date->year =
	    cycles_400 * 400 + centuries * 100 + blocks_4 * 4 + years + (date->month <= 2 ? 1 : 0);
	date->weekday = (unsigned)rtc_floor_mod(days + 4, 7); /* 1970-01-01 was a Thursday */
}
