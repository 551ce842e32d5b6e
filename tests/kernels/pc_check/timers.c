/* SPDX-License-Identifier: MIT */
/*
 * The PM timer against three independent clocks. The bounds are a factor of 2 either side of
 * 3.579545 MHz: loose enough for a loaded host, tight enough to catch a timer at the wrong
 * frequency (1 MHz, 1 GHz) or frozen.
 * - RTC: PM ticks between two edges of the CMOS clock's seconds byte, at least a second apart.
 * - TSC: its rate over that same RTC window, then PM ticks over 100 ms of TSC time.
 * - PIT: the cycles of 1.193182 MHz channel 2 counts down (mode 0, latched reads) during 30 ms
 *   of PM time.
 * A vCPU preempted between reading two clocks would skew a window by the whole preemption (on
 * this nested, loaded host that reached 0.9 s), so every instant is bracketed by two PM reads
 * and used only if they are close enough (5 ms; 50 ms for the one-second RTC window), else
 * measured again (Linux's tsc_read_refs() does the same); the TSC and PIT figures are the
 * median of three windows.
 */
#include "timers.h"

#include "console.h"
#include "pm_timer.h"
#include "rtc.h"

#define MONOTONIC_READS	       1000
#define PRECISION_TICKS	       (5 * PM_TIMER_HZ / 1000) /* 5 ms */
#define PAIR_ATTEMPTS	       10
#define RTC_EDGE_TIMEOUT_MS    3000
#define RTC_PRECISION_TICKS    (50 * PM_TIMER_HZ / 1000) /* 50 ms: 5% of the 1 s window */
#define TSC_WINDOWS_PER_SECOND 10
#define PIT_HZ		       1193182u
#define PIT_WINDOW_TICKS       (30 * PM_TIMER_HZ / 1000) /* 30 ms: a countdown lasts 54.9 */
#define PIT_WINDOW_MAX_POLLS   100000
#define PIT_ATTEMPTS	       10
#define PORT_61		       0x61
#define PORT_61_GATE2	       0x01
#define PORT_61_SPEAKER	       0x02
#define PORT_61_OUT2	       0x20
#define PIT_COMMAND	       0x43
#define PIT_CHANNEL2	       0x42
#define PIT_CH2_MODE0_LOHI     0xb0
#define PIT_CH2_LATCH	       0x80

/* PM ticks since the start, in 64 bits: read at least every 4.7 s (the 24-bit wrap). */
struct tick_clock {
	uint32_t last;
	uint64_t ticks;
};

static void tick_clock_start(struct tick_clock *c)
{
	c->last = pm_timer_read();
	c->ticks = 0;
}

static uint64_t ticks_now(struct tick_clock *c)
{
	uint32_t now = pm_timer_read();
	c->ticks += (now - c->last) & pm_timer_mask();
	c->last = now;
	return c->ticks;
}

static bool rate_ok(uint64_t hz)
{
	return hz >= PM_TIMER_HZ / 2 && hz <= (uint64_t)PM_TIMER_HZ * 2;
}

static uint64_t median_of_3(const uint64_t *v)
{
	uint64_t a = v[0], b = v[1], c = v[2];
	if (a > b)
		return b > c ? b : (a > c ? c : a);
	return a > c ? a : (b > c ? c : b);
}

/* ticks * rate / count without overflow (ticks < 2^32, rate < 2^32) and with a 32-bit divisor. */
static uint64_t scale(uint64_t ticks, uint64_t rate, uint64_t count)
{
	uint64_t product = ticks * rate;
	while (count >> 32) {
		count >>= 1;
		product >>= 1;
	}
	return count ? div64(product, (uint32_t)count, NULL) : 0;
}

static bool check_monotonic(uint16_t port, bool bits32)
{
	uint32_t mask = pm_timer_mask(), previous = inl(port) & mask;
	unsigned backwards = 0, changed = 0, too_wide = 0;
	uint64_t advanced = 0;
	for (unsigned i = 0; i < MONOTONIC_READS; i++) {
		uint32_t raw = inl(port), now = raw & mask, step = (now - previous) & mask;
		too_wide += !bits32 && (raw >> 24) != 0;
		backwards += step > mask / 2;
		changed += step != 0;
		advanced += step;
		previous = now;
	}
	return check(
	    !backwards && !too_wide && changed * 2 > MONOTONIC_READS, "pm_timer_monotonic",
	    "port 0x%x, %u reads: %u went back, %u changed, %llu ticks in all, %u above 24 bits "
	    "(%s-bit timer)",
	    port, MONOTONIC_READS, backwards, changed, (unsigned long long)advanced, too_wide,
	    bits32 ? "32" : "24");
}

/* An instant on both clocks: PM ticks (the middle of its bracket) and the TSC. */
struct instant {
	uint64_t ticks, tsc;
};

/* The next one-second step of the RTC's seconds that two polls less than RTC_PRECISION_TICKS
 * apart bracket; false if none within RTC_EDGE_TIMEOUT_MS. A poll is four port accesses (PIO exits
 * cost 100 us and more on a loaded nested host), so the register B format is read once. */
static bool rtc_edge(struct tick_clock *c, struct instant *at, unsigned *seconds)
{
	uint8_t format = rtc_format();
	unsigned before = rtc_seconds(format), polls = 0;
	uint64_t before_ticks = ticks_now(c), wait_start = before_ticks; /* after that read */
	uint64_t limit = (uint64_t)RTC_EDGE_TIMEOUT_MS * (PM_TIMER_HZ / 1000);
	while (before_ticks - wait_start < limit && ++polls < RTC_EDGE_TIMEOUT_MS * 200) {
		uint64_t poll_start = ticks_now(c), tsc = rdtsc();
		unsigned now = rtc_seconds(format);
		uint64_t poll_end = ticks_now(c);
		/* one second on: a read torn by the chip's update would be another step */
		if (now == (before + 1) % 60 && poll_end - before_ticks <= RTC_PRECISION_TICKS) {
			at->ticks = (before_ticks + poll_end) / 2;
			at->tsc = tsc;
			*seconds = now;
			return true;
		}
		before = now;
		before_ticks = poll_start;
	}
	return false;
}

static uint64_t check_against_rtc(void)
{
	struct tick_clock c;
	struct instant first, second;
	unsigned s1, s2 = 0;
	tick_clock_start(&c);
	bool edges = rtc_edge(&c, &first, &s1) && rtc_edge(&c, &second, &s2);
	unsigned seconds = (s2 + 60 - s1) % 60;
	if (!edges || !seconds) {
		check_fail("pm_timer_vs_rtc",
			   "no two RTC seconds edges timed within 50 ms in %u ms",
			   2 * RTC_EDGE_TIMEOUT_MS);
		return 0;
	}
	uint64_t pm_hz = div64(second.ticks - first.ticks, seconds, NULL);
	check(rate_ok(pm_hz), "pm_timer_vs_rtc",
	      "%llu Hz over %u RTC second(s) (want %u Hz, within a "
	      "factor of 2)",
	      (unsigned long long)pm_hz, seconds, PM_TIMER_HZ);
	return div64(second.tsc - first.tsc, seconds, NULL);
}

/* The PM timer and the TSC at one instant (two PM reads around a TSC read, close together). */
static bool read_pair(struct tick_clock *c, struct instant *at)
{
	for (unsigned attempt = 0; attempt < PAIR_ATTEMPTS; attempt++) {
		uint64_t before = ticks_now(c);
		at->tsc = rdtsc();
		uint64_t after = ticks_now(c);
		at->ticks = (before + after) / 2;
		if (after - before <= PRECISION_TICKS)
			return true;
	}
	return false;
}

static uint64_t pm_hz_over_tsc_window(uint64_t tsc_hz)
{
	uint64_t window = div64(tsc_hz, TSC_WINDOWS_PER_SECOND, NULL);
	struct tick_clock c;
	struct instant start, end;
	tick_clock_start(&c);
	if (!read_pair(&c, &start))
		return 0;
	while (rdtsc() - start.tsc < window)
		ticks_now(&c);
	if (!read_pair(&c, &end))
		return 0;
	return scale(end.ticks - start.ticks, tsc_hz, end.tsc - start.tsc);
}

static void check_against_tsc(uint64_t tsc_hz)
{
	if (!tsc_hz) {
		check_fail("pm_timer_vs_tsc", "no TSC rate: the RTC measurement failed");
		return;
	}
	uint64_t hz[3];
	for (unsigned i = 0; i < 3; i++)
		hz[i] = pm_hz_over_tsc_window(tsc_hz);
	uint64_t median = median_of_3(hz);
	check(
	    rate_ok(median), "pm_timer_vs_tsc",
	    "%llu Hz over 3 x 100 ms of TSC (median; TSC %llu kHz by the RTC; want %u Hz, within a "
	    "factor of 2)",
	    (unsigned long long)median, (unsigned long long)div64(tsc_hz, 1000, NULL), PM_TIMER_HZ);
}

/* Channel 2's count, latched (8254 counter latch command), with OUT2 from port 0x61. */
static uint16_t pit_count(bool *out2)
{
	outb(PIT_COMMAND, PIT_CH2_LATCH);
	uint16_t count = inb(PIT_CHANNEL2);
	count = (uint16_t)(count | inb(PIT_CHANNEL2) << 8);
	*out2 = inb(PORT_61) & PORT_61_OUT2;
	return count;
}

/* One instant read from both the PIT count and the PM timer, the latter bracketing it within
 * PRECISION_TICKS (retried until it does). */
static bool pit_instant(struct tick_clock *c, uint64_t *ticks, uint16_t *count, bool *out2)
{
	for (unsigned attempt = 0; attempt < PAIR_ATTEMPTS; attempt++) {
		uint64_t before = ticks_now(c);
		*count = pit_count(out2);
		uint64_t after = ticks_now(c);
		*ticks = (before + after) / 2;
		if (after - before <= PRECISION_TICKS)
			return true;
	}
	return false;
}

/* A PM rate from PIT_WINDOW_TICKS of PM time against the PIT cycles counted meanwhile, or 0.
 * Channel 2 counts down from 65535 in mode 0; OUT2 rises at zero and stays up, so OUT2 still
 * low at the end says the count did not wrap (a PM timer far too slow overruns the window). */
static uint64_t pit_window_hz(bool *frozen)
{
	struct tick_clock c;
	uint64_t start, end;
	uint16_t first, last;
	bool out2;
	uint8_t port_61 = inb(PORT_61);
	outb(PORT_61, (uint8_t)((port_61 & ~PORT_61_SPEAKER) | PORT_61_GATE2));
	outb(PIT_COMMAND, PIT_CH2_MODE0_LOHI);
	outb(PIT_CHANNEL2, 0xff);
	outb(PIT_CHANNEL2, 0xff); /* counting starts after the count's high byte */
	tick_clock_start(&c);
	bool timed = pit_instant(&c, &start, &first, &out2);
	for (unsigned polls = 0; timed && ticks_now(&c) - start < PIT_WINDOW_TICKS; polls++)
		if (polls > PIT_WINDOW_MAX_POLLS)
			timed = false, *frozen = true;
	timed = timed && pit_instant(&c, &end, &last, &out2);
	outb(PORT_61, port_61);
	if (!timed || out2 || last >= first)
		return 0;
	return scale(end - start, PIT_HZ, (uint64_t)(first - last));
}

static void check_against_pit(void)
{
	uint64_t hz[3];
	unsigned good = 0;
	bool frozen = false;
	for (unsigned attempt = 0; attempt < PIT_ATTEMPTS && good < 3 && !frozen; attempt++) {
		uint64_t rate = pit_window_hz(&frozen);
		if (rate)
			hz[good++] = rate;
	}
	if (frozen) {
		check_fail("pm_timer_vs_pit", "the PM timer did not advance 30 ms in %u reads",
			   PIT_WINDOW_MAX_POLLS);
		return;
	}
	if (good < 3) {
		check_fail(
		    "pm_timer_vs_pit",
		    "only %u of %u windows of 30 ms of PM time fit in one countdown of PIT channel "
		    "2 with both ends timed within 5 ms (a PM timer far too slow overruns them)",
		    good, PIT_ATTEMPTS);
		return;
	}
	check(
	    rate_ok(median_of_3(hz)), "pm_timer_vs_pit",
	    "%llu Hz over 3 x 30 ms windows counted by PIT channel 2 (median; want %u Hz, within a "
	    "factor of 2)",
	    (unsigned long long)median_of_3(hz), PM_TIMER_HZ);
}

void timers_check(const struct acpi_info *acpi)
{
	if (!acpi->pm_tmr_port) {
		check_fail("pm_timer_monotonic", "no PM timer port from the FADT");
		return;
	}
	pm_timer_init(acpi->pm_tmr_port, acpi->pm_tmr_32bit);
	if (!check_monotonic(acpi->pm_tmr_port, acpi->pm_tmr_32bit))
		pm_timer_distrust();
	check_against_tsc(check_against_rtc());
	check_against_pit();
}
