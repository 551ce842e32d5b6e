/* SPDX-License-Identifier: MIT */
/* The test clock and interrupt-line recorder shared by test_rtc_cmos.c and
 * test_rtc_cmos_update.c: the RTC reads a variable for its time, so every value is known and
 * nothing sleeps. */
#ifndef MINIVMM_TEST_RTC_CMOS_FIXTURE_H
#define MINIVMM_TEST_RTC_CMOS_FIXTURE_H

#include <string.h>

#include "devices/rtc_cmos.h"
#include "test_check_main.h"

#define NS 1000000000LL
/* 2024-02-29 (a Thursday) 13:05:09 UTC. */
#define FIXED_SECOND 1709211909LL
/* UIP rises 8 cycles of 32.768 kHz (244.14 us) before the second: at this many ns into it. */
#define UIP_START_NS 999755860LL

static struct rtc_cmos rtc;
static int64_t now_ns;
static struct {
	bool level;
	unsigned raises, lowers, reschedules;
	int64_t next_event;
} seen;

static int64_t test_clock(void *ctx)
{
	(void)ctx;
	return now_ns;
}

static void record_irq(void *ctx, bool level)
{
	(void)ctx;
	ck_assert_msg(level != seen.level, "the line is signalled on changes only");
	seen.level = level;
	if (level)
		seen.raises++;
	else
		seen.lowers++;
}

static void record_reschedule(void *ctx, int64_t next_event)
{
	(void)ctx;
	seen.reschedules++;
	seen.next_event = next_event;
}

/* The clock at `ns` nanoseconds into FIXED_SECOND + `seconds`. */
static void at(int64_t seconds, int64_t ns)
{
	now_ns = (FIXED_SECOND + seconds) * NS + ns;
}

static void setup(void)
{
	memset(&seen, 0, sizeof seen);
	at(0, 0);
	const struct rtc_cmos_host host = {
	    .clock = test_clock, .set_irq = record_irq, .reschedule = record_reschedule};
	rtc_cmos_init(&rtc, &host);
}

static void teardown(void)
{
	rtc_cmos_destroy(&rtc);
}

#endif
