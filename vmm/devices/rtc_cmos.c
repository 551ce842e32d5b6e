/* SPDX-License-Identifier: MIT */
/*
 * MC146818A real-time clock (Motorola datasheet: "Address Map", "Time, Calendar and Alarm
 * Locations", "Update Cycle", "Interrupts", "Register A" to "Register D"; the Dallas DS12887
 * datasheet describes the same registers), as wired on the PC: port 0x70 selects a byte of its
 * 128-byte address space (bit 7 of that write masks NMI on the PC: ignored here), port 0x71
 * reads or writes it.
 *
 * Time is the host's wall clock (UTC), counted in cycles of the chip's 32.768 kHz time base so
 * that every event falls where the divider chain would put it:
 * - The update cycle happens at each whole second of the host clock, instantly (the chip takes
 *   1984 us, during which the time bytes are unreadable; here they flip in one step). UIP
 *   (register A bit 7) reads 1 during the 8 cycles (244 us, the datasheet's tBUC) before it, so
 *   a guest that starts reading once UIP is 0 has 244 us before anything changes.
 * - Each update sets UF, and AF when the alarm bytes match the new time (an alarm byte of
 *   11xxxxxx, 0xC0-0xFF, is "don't care"); PF rises at each edge of the tap RS3-RS0 select.
 *   The flags rise whatever the enable bits say; register C shows them and clears on read.
 * - IRQF = PF & PIE | AF & AIE | UF & UIE, and the IRQ 8 line follows IRQF (the chip's IRQ pin
 *   is a level), so it drops when register C is read or an enable bit is cleared. Flags that a
 *   read of C finds and clears in one go never raise it (see rtc_cmos_read).
 * - SET (register B bit 7) stops the updates: the time bytes freeze, no UF/AF, UIP reads 0, and
 *   UIE is cleared (register B, UIE: "cleared by SET going high"). A divider (DV2-DV0) other
 *   than 010 stops the clock the same way and also stops PF (DS12887 register A: 11x holds the
 *   divider chain in reset, the others stop the oscillator).
 * Nothing runs between accesses: the events since the last access are accounted when the
 * guest next touches a status register or when the timer calls rtc_cmos_service(). Events
 * that fell between two accounts are coalesced (a flag is a bit, not a count); after the host
 * clock steps back, counting simply resumes from the new time, with no events for the gap.
 *
 * Deliberate simplifications:
 * - Writes to the time and date bytes (0x00, 0x02, 0x04, 0x06-0x09, 0x32) are ignored: the
 *   host's clock cannot be set by a guest. When SET or the divider is released the registers
 *   show the host's time again, not the frozen time plus what elapsed.
 * - Periodic rates above 1024 Hz (rate selects 3-5) run at 1024 Hz: the timer behind the
 *   interrupt is a host thread, and no guest may have it wake more often than that.
 * - No square-wave output (SQWE), no daylight-saving (DSE): both bits are stored only.
 * Register D reads 0x80 (VRT: valid RAM and time); the century byte 0x32 follows register B.
 */
#include "devices/rtc_cmos_internal.h"

#include <string.h>
#include <time.h>

/* Power-on values a PC BIOS leaves: 32.768 kHz time base (DV = 010), 1024 Hz rate (RS = 0110);
 * 24-hour BCD, no interrupts. */
#define RTC_A_DEFAULT	  0x26
#define RTC_A_WRITABLE	  0x7f /* UIP is read-only */
#define RTC_B_DEFAULT	  RTC_B_24H
#define RTC_B_IRQ_ENABLES (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE)
#define UIP_LEAD_CYCLES	  8 /* tBUC, 244 us: UIP is 1 this long before each update */
/* The fastest periodic rate modelled: 1024 Hz. Rates 3-5 (8192, 4096, 2048 Hz) run at 1024 Hz,
 * so the host timer wakes at most 1024 times a second for them, whatever the guest asks. */
#define FASTEST_PERIOD_CYCLES 32
#define NS_PER_SECOND	      1000000000LL
#define SECONDS_PER_DAY	      86400

int64_t rtc_cmos_ns_to_cycles(int64_t ns)
{
	int64_t seconds = rtc_floor_div(ns, NS_PER_SECOND);
	int64_t rest = ns - seconds * NS_PER_SECOND;
	return seconds * RTC_CYCLES_PER_SECOND + rest * RTC_CYCLES_PER_SECOND / NS_PER_SECOND;
}

/* The first nanosecond that rtc_cmos_ns_to_cycles() counts as `cycle` (rounded up). */
static int64_t cycles_to_ns(int64_t cycle)
{
	int64_t seconds = rtc_floor_div(cycle, RTC_CYCLES_PER_SECOND);
	int64_t rest = cycle - seconds * RTC_CYCLES_PER_SECOND;
	return seconds * NS_PER_SECOND +
	       (rest * NS_PER_SECOND + RTC_CYCLES_PER_SECOND - 1) / RTC_CYCLES_PER_SECOND;
}

static uint8_t to_bcd(unsigned value)
{
	return (uint8_t)((value / 10 % 10) << 4 | value % 10);
}

static uint8_t encode(uint8_t reg_b, unsigned value)
{
	return (reg_b & RTC_B_BINARY) ? (uint8_t)value : to_bcd(value);
}

static uint8_t encode_hours(uint8_t reg_b, unsigned hour24)
{
	if (reg_b & RTC_B_24H)
		return encode(reg_b, hour24);
	/* 12-hour mode: 12, 1, ..., 11, with bit 7 set from noon on. */
	unsigned hour12 = hour24 % 12 ? hour24 % 12 : 12;
	return (uint8_t)(encode(reg_b, hour12) | (hour24 >= 12 ? RTC_HOUR_PM_BIT : 0));
}

static bool divider_running(const struct rtc_cmos *rtc)
{
	return (rtc->ram[RTC_REG_A] & RTC_A_DIVIDER_MASK) == RTC_A_DIVIDER_32KHZ;
}

static bool updating(const struct rtc_cmos *rtc)
{
	return divider_running(rtc) && !(rtc->ram[RTC_REG_B] & RTC_B_SET);
}

/* Cycles between two periodic flags (register A's rate table, 32.768 kHz column): rate 0 none,
 * 1 and 2 repeat 8 and 9 (256 and 128 Hz), 3-15 are 2^(rate-1) cycles (8192 Hz down to 2 Hz),
 * but at least FASTEST_PERIOD_CYCLES. Every period divides a second, so the ticks stay in phase
 * with the updates, as on the chip. */
static int64_t periodic_cycles(uint8_t reg_a)
{
	unsigned rate = reg_a & RTC_A_RATE_MASK;
	if (rate == 0)
		return 0;
	if (rate <= 2)
		rate += 7;
	int64_t period = (int64_t)1 << (rate - 1);
	return period > FASTEST_PERIOD_CYCLES ? period : FASTEST_PERIOD_CYCLES;
}

static int64_t shown_second(const struct rtc_cmos *rtc, int64_t cycle)
{
	return updating(rtc) ? rtc_floor_div(cycle, RTC_CYCLES_PER_SECOND) : rtc->frozen_second;
}

static bool alarm_byte_matches(uint8_t alarm, uint8_t now)
{
	return alarm >= RTC_ALARM_DONT_CARE || alarm == now;
}

/* The chip compares the register bytes, so the alarm is in the current format (BCD or binary,
 * 12- or 24-hour) like the time bytes. */
static bool alarm_matches(const struct rtc_cmos *rtc, int64_t second_of_day)
{
	uint8_t reg_b = rtc->ram[RTC_REG_B];
	unsigned seconds = (unsigned)second_of_day;
	return alarm_byte_matches(rtc->ram[RTC_REG_SECONDS_ALARM], encode(reg_b, seconds % 60)) &&
	       alarm_byte_matches(rtc->ram[RTC_REG_MINUTES_ALARM],
				  encode(reg_b, seconds / 60 % 60)) &&
	       alarm_byte_matches(rtc->ram[RTC_REG_HOURS_ALARM],
				  encode_hours(reg_b, seconds / 3600));
}

/* Sets the flags of everything the chip did after accounted_cycle up to cycle. */
static void advance(struct rtc_cmos *rtc, int64_t cycle)
{
	int64_t from = rtc->accounted_cycle;
	rtc->accounted_cycle = cycle;
	if (cycle <= from || !divider_running(rtc))
		return; /* no time passed (or the host clock stepped back), or no clock */
	int64_t period = periodic_cycles(rtc->ram[RTC_REG_A]);
	if (period && rtc_floor_div(cycle, period) > rtc_floor_div(from, period))
		rtc->ram[RTC_REG_C] |= RTC_C_PF;
	if (rtc->ram[RTC_REG_B] & RTC_B_SET)
		return;
	/* The updates in (from, cycle] produced the seconds first..last. */
	int64_t first = rtc_floor_div(from, RTC_CYCLES_PER_SECOND) + 1;
	int64_t last = rtc_floor_div(cycle, RTC_CYCLES_PER_SECOND);
	if (first > last)
		return;
	rtc->ram[RTC_REG_C] |= RTC_C_UF;
	if (last - first >= SECONDS_PER_DAY) /* one day holds every time an alarm can match */
		first = last - SECONDS_PER_DAY + 1;
	for (int64_t second = first; second <= last; second++)
		if (alarm_matches(rtc, rtc_floor_mod(second, SECONDS_PER_DAY))) {
			rtc->ram[RTC_REG_C] |= RTC_C_AF;
			break;
		}
}

void rtc_cmos_update_irq(struct rtc_cmos *rtc)
{
	uint8_t flags = rtc->ram[RTC_REG_C] & (uint8_t)~RTC_C_IRQF;
	bool level = flags & rtc->ram[RTC_REG_B] & RTC_B_IRQ_ENABLES;
	rtc->ram[RTC_REG_C] = level ? flags | RTC_C_IRQF : flags;
	if (level == rtc->irq_level)
		return;
	rtc->irq_level = level;
	if (rtc->host.set_irq)
		rtc->host.set_irq(rtc->host.ctx, level);
}

int64_t rtc_cmos_now(const struct rtc_cmos *rtc)
{
	if (rtc->host.clock)
		return rtc->host.clock(rtc->host.ctx);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * NS_PER_SECOND + now.tv_nsec;
}

/* Accounts everything up to now; returns now in cycles. */
static int64_t catch_up(struct rtc_cmos *rtc)
{
	int64_t cycle = rtc_cmos_ns_to_cycles(rtc_cmos_now(rtc));
	advance(rtc, cycle);
	rtc_cmos_update_irq(rtc);
	return cycle;
}

/* The first cycle after `cycle` at which the line could rise without any register access. */
static int64_t next_event_cycle(const struct rtc_cmos *rtc, int64_t cycle)
{
	uint8_t reg_b = rtc->ram[RTC_REG_B];
	if (rtc->irq_level || !(reg_b & RTC_B_IRQ_ENABLES) || !divider_running(rtc))
		return RTC_NO_EVENT;
	int64_t next = RTC_NO_EVENT;
	int64_t period = periodic_cycles(rtc->ram[RTC_REG_A]);
	if ((reg_b & RTC_B_PIE) && period)
		next = (rtc_floor_div(cycle, period) + 1) * period;
	/* An alarm can only match at an update: checking each second is enough. */
	if ((reg_b & (RTC_B_AIE | RTC_B_UIE)) && !(reg_b & RTC_B_SET)) {
		int64_t update =
		    (rtc_floor_div(cycle, RTC_CYCLES_PER_SECOND) + 1) * RTC_CYCLES_PER_SECOND;
		next = update < next ? update : next;
	}
	return next;
}

static int64_t next_event_ns(const struct rtc_cmos *rtc, int64_t cycle)
{
	int64_t next = next_event_cycle(rtc, cycle);
	return next == RTC_NO_EVENT ? RTC_NO_EVENT : cycles_to_ns(next);
}

void rtc_cmos_reschedule(struct rtc_cmos *rtc, int64_t cycle)
{
	if (rtc->host.reschedule)
		rtc->host.reschedule(rtc->host.ctx, next_event_ns(rtc, cycle));
}

int64_t rtc_cmos_service(struct rtc_cmos *rtc)
{
	return next_event_ns(rtc, catch_up(rtc));
}

static uint8_t read_time_byte(const struct rtc_cmos *rtc, uint8_t index)
{
	int64_t second = shown_second(rtc, rtc_cmos_ns_to_cycles(rtc_cmos_now(rtc)));
	int64_t days = rtc_floor_div(second, SECONDS_PER_DAY);
	unsigned second_of_day = (unsigned)(second - days * SECONDS_PER_DAY);
	uint8_t reg_b = rtc->ram[RTC_REG_B];
	struct rtc_civil_date date;
	switch (index) {
	case RTC_REG_SECONDS:
		return encode(reg_b, second_of_day % 60);
	case RTC_REG_MINUTES:
		return encode(reg_b, second_of_day / 60 % 60);
	case RTC_REG_HOURS:
		return encode_hours(reg_b, second_of_day / 3600);
	default:
		break;
	}
	rtc_civil_from_days(days, &date);
	switch (index) {
	case RTC_REG_DAY_OF_WEEK:
		return encode(reg_b, date.weekday + 1); /* 1 = Sunday */
	case RTC_REG_DAY_OF_MONTH:
		return encode(reg_b, date.day);
	case RTC_REG_MONTH:
		return encode(reg_b, date.month);
	case RTC_REG_YEAR:
		return encode(reg_b, (unsigned)rtc_floor_mod(date.year, 100));
	default: /* RTC_REG_CENTURY */
		return encode(reg_b, (unsigned)rtc_floor_mod(rtc_floor_div(date.year, 100), 100));
	}
}

static bool is_time_byte(uint8_t index)
{
	return index == RTC_REG_SECONDS || index == RTC_REG_MINUTES || index == RTC_REG_HOURS ||
	       (index >= RTC_REG_DAY_OF_WEEK && index <= RTC_REG_YEAR) || index == RTC_REG_CENTURY;
}

/* A write of register A or B: the events so far count under the old setting; stopping the
 * clock freezes the time bytes at what they showed. */
static void write_control(struct rtc_cmos *rtc, uint8_t index, uint8_t value)
{
	int64_t cycle = catch_up(rtc);
	bool was_updating = updating(rtc);
	int64_t second = shown_second(rtc, cycle);
	if (index == RTC_REG_A)
		value &= RTC_A_WRITABLE;
	else if (value & RTC_B_SET)
		value &= (uint8_t)~RTC_B_UIE;
	rtc->ram[index] = value;
	if (was_updating && !updating(rtc))
		rtc->frozen_second = second;
	rtc_cmos_update_irq(rtc);
	rtc_cmos_reschedule(rtc, cycle);
}

void rtc_cmos_init(struct rtc_cmos *rtc, const struct rtc_cmos_host *host)
{
	memset(rtc, 0, sizeof *rtc);
	pthread_mutex_init(&rtc->lock, NULL);
	if (host)
		rtc->host = *host;
	rtc->ram[RTC_REG_A] = RTC_A_DEFAULT;
	rtc->ram[RTC_REG_B] = RTC_B_DEFAULT;
	rtc->accounted_cycle = rtc_cmos_ns_to_cycles(rtc_cmos_now(rtc));
	rtc->frozen_second = rtc_floor_div(rtc->accounted_cycle, RTC_CYCLES_PER_SECOND);
}

void rtc_cmos_destroy(struct rtc_cmos *rtc)
{
	pthread_mutex_destroy(&rtc->lock);
}

void rtc_cmos_reset(struct rtc_cmos *rtc)
{
	int64_t cycle = catch_up(rtc);
	rtc->ram[RTC_REG_B] &= (uint8_t) ~(RTC_B_IRQ_ENABLES | RTC_B_SQWE);
	rtc->ram[RTC_REG_C] = 0;
	rtc_cmos_update_irq(rtc);
	rtc_cmos_reschedule(rtc, cycle);
}

uint8_t rtc_cmos_read(struct rtc_cmos *rtc, uint8_t index)
{
	index &= RTC_CMOS_INDEX_MASK;
	if (is_time_byte(index))
		return read_time_byte(rtc, index);
	switch (index) {
	case RTC_REG_A: {
		int64_t cycle = catch_up(rtc);
		bool imminent = updating(rtc) && rtc_floor_mod(cycle, RTC_CYCLES_PER_SECOND) >=
						     RTC_CYCLES_PER_SECOND - UIP_LEAD_CYCLES;
		return (uint8_t)(rtc->ram[RTC_REG_A] | (imminent ? RTC_A_UIP : 0));
	}
	case RTC_REG_C: {
		/* Flags that rose since the last account are read and cleared at once, without
		 * raising the line for them: a raise-and-lower would be an edge, i.e. one more
		 * interrupt per read, as fast as the guest reads. */
		int64_t cycle = rtc_cmos_ns_to_cycles(rtc_cmos_now(rtc));
		advance(rtc, cycle);
		uint8_t flags = rtc->ram[RTC_REG_C];
		if (flags & rtc->ram[RTC_REG_B] & RTC_B_IRQ_ENABLES)
			flags |= RTC_C_IRQF;
		rtc->ram[RTC_REG_C] = 0; /* "all flag bits are cleared after register C is read" */
		rtc_cmos_update_irq(rtc);
		rtc_cmos_reschedule(rtc, cycle);
		return flags;
	}
	case RTC_REG_D:
		return RTC_D_VALID;
	default:
		return rtc->ram[index];
	}
}

void rtc_cmos_write(struct rtc_cmos *rtc, uint8_t index, uint8_t value)
{
	index &= RTC_CMOS_INDEX_MASK;
	if (is_time_byte(index))
		return;
	switch (index) {
	case RTC_REG_A:
	case RTC_REG_B:
		write_control(rtc, index, value);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break; /* read-only */
	default:
		rtc->ram[index] = value;
		break;
	}
}

static void rtc_cmos_bus_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct rtc_cmos *rtc = opaque;
	pthread_mutex_lock(&rtc->lock);
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i == 0 ? rtc->index : rtc_cmos_read(rtc, rtc->index);
	pthread_mutex_unlock(&rtc->lock);
}

static void rtc_cmos_bus_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct rtc_cmos *rtc = opaque;
	pthread_mutex_lock(&rtc->lock);
	for (uint32_t i = 0; i < len; i++) {
		if (offset + i == 0)
			rtc->index = data[i] & RTC_CMOS_INDEX_MASK;
		else
			rtc_cmos_write(rtc, rtc->index, data[i]);
	}
	pthread_mutex_unlock(&rtc->lock);
}

const struct bus_device_ops rtc_cmos_bus_ops = {.read = rtc_cmos_bus_read,
						.write = rtc_cmos_bus_write};
