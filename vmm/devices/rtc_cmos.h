/* SPDX-License-Identifier: MIT */
/*
 * The PC's CMOS real-time clock (Motorola MC146818A datasheet; the Dallas DS12887 is the same
 * register set) at ports 0x70 (index) and 0x71 (data): the host's wall clock (UTC) as the time
 * and date registers, the once-a-second update cycle with its UIP warning, the periodic, alarm
 * and update-ended flags of register C, and the IRQ 8 line they drive; the remaining bytes of
 * its 128-byte RAM are plain storage.
 *
 * rtc_cmos.c is the register model: it reads the time through a clock callback and never
 * sleeps, so tests drive it with any time they like. rtc_cmos_calendar.c turns days into dates.
 * rtc_cmos_snapshot.c saves and loads its state. rtc_cmos_timer.c gives it a host timer (a
 * thread, started only once a guest enables an interrupt) and attaches it to a VM.
 */
#ifndef MINIVMM_RTC_CMOS_H
#define MINIVMM_RTC_CMOS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/bus.h"

#define RTC_CMOS_PORT	      0x70
#define RTC_CMOS_PORT_COUNT   2
#define RTC_CMOS_RAM_SIZE     128
#define RTC_CMOS_INDEX_MASK   0x7f /* bit 7 of an index write is the PC's NMI mask (ignored) */
#define RTC_CMOS_IRQ	      8	   /* the PC's ISA line for the RTC (slave PIC input 0) */
#define RTC_REG_SECONDS	      0x00
#define RTC_REG_SECONDS_ALARM 0x01
#define RTC_REG_MINUTES	      0x02
#define RTC_REG_MINUTES_ALARM 0x03
#define RTC_REG_HOURS	      0x04
#define RTC_REG_HOURS_ALARM   0x05
#define RTC_REG_DAY_OF_WEEK   0x06
#define RTC_REG_DAY_OF_MONTH  0x07
#define RTC_REG_MONTH	      0x08
#define RTC_REG_YEAR	      0x09
#define RTC_REG_A	      0x0a
#define RTC_REG_B	      0x0b
#define RTC_REG_C	      0x0c
#define RTC_REG_D	      0x0d
#define RTC_REG_CENTURY	      0x32 /* the PC/AT's convention (also ACPI's FADT default) */

/* Register A: update in progress, divider (time base) select, periodic rate select. */
#define RTC_A_UIP	    0x80
#define RTC_A_DIVIDER_MASK  0x70
#define RTC_A_DIVIDER_32KHZ 0x20 /* DV2-DV0 = 010: 32.768 kHz, the clock runs */
#define RTC_A_RATE_MASK	    0x0f
/* Register B: SET stops updates; PIE/AIE/UIE enable the interrupts whose flags sit at the same
 * bit positions in register C; DM; 24/12. */
#define RTC_B_SET    0x80
#define RTC_B_PIE    0x40
#define RTC_B_AIE    0x20
#define RTC_B_UIE    0x10
#define RTC_B_SQWE   0x08 /* square-wave output: no pin here, stored only */
#define RTC_B_BINARY 0x04 /* DM: 1 binary, 0 BCD */
#define RTC_B_24H    0x02 /* 1 24-hour, 0 12-hour with bit 7 of the hours = PM */
/* Register C: IRQF = PF & PIE | AF & AIE | UF & UIE; all four clear when C is read. */
#define RTC_C_IRQF	    0x80
#define RTC_C_PF	    0x40
#define RTC_C_AF	    0x20
#define RTC_C_UF	    0x10
#define RTC_D_VALID	    0x80 /* VRT: RAM and time valid */
#define RTC_HOUR_PM_BIT	    0x80
#define RTC_ALARM_DONT_CARE 0xc0 /* an alarm byte of 11xxxxxx matches every value */

/* The divider chain's input: every time in the model is a count of these cycles. */
#define RTC_CYCLES_PER_SECOND 32768
#define RTC_NO_EVENT	      INT64_MAX

/* Nanoseconds since 1970-01-01 00:00:00 UTC: the wall clock the registers show. */
typedef int64_t (*rtc_clock_fn)(void *ctx);

/* What the model needs from the machine around it; every member may be NULL. */
struct rtc_cmos_host {
	rtc_clock_fn clock; /* NULL: CLOCK_REALTIME */
	/* The IRQ 8 line changed level. Called with rtc->lock held; must not call back in. */
	void (*set_irq)(void *ctx, bool level);
	/* After a register access that may bring the next interrupt nearer (a write of A or B, a
	 * read of C): the line could now rise at next_event (ns, clock's scale; RTC_NO_EVENT:
	 * never by itself). Called with rtc->lock held. */
	void (*reschedule)(void *ctx, int64_t next_event);
	void *ctx;
};

struct rtc_cmos {
	pthread_mutex_t lock; /* the bus (vCPU threads) and the timer thread */
	uint8_t index;
	uint8_t ram[RTC_CMOS_RAM_SIZE]; /* registers A-C, the alarms and the plain RAM bytes */
	struct rtc_cmos_host host;
	int64_t accounted_cycle; /* every flag of the time up to this cycle is in register C */
	int64_t frozen_second;	 /* what the time registers show while the clock is stopped */
	bool irq_level;
};

/* host may be NULL: the real clock and no interrupt line. */
void rtc_cmos_init(struct rtc_cmos *rtc, const struct rtc_cmos_host *host);
void rtc_cmos_destroy(struct rtc_cmos *rtc);

/* Snapshot (docs/snapshot.md, rtc_cmos_snapshot.c): index, RAM and accounting as fixed-width
 * bytes (at most 256), and back (-EINVAL when they do not fit, nothing taken). The caller holds
 * rtc->lock. */
size_t rtc_cmos_save(struct rtc_cmos *rtc, void *buf);
int rtc_cmos_load(struct rtc_cmos *rtc, const void *buf, size_t len);

/* One register by index (what port 0x71 does after port 0x70 chose it). The caller holds
 * rtc->lock, or is the only thread that uses the RTC. */
uint8_t rtc_cmos_read(struct rtc_cmos *rtc, uint8_t index);
void rtc_cmos_write(struct rtc_cmos *rtc, uint8_t index, uint8_t value);

/* The chip's RESET pin (a PC platform reset): PIE, AIE, UIE, SQWE and every flag of register C
 * cleared, the line lowered; the time, the rest of register B, register A and the RAM stay
 * ("Reset" in the MC146818A datasheet's pin description). With the lock held. */
void rtc_cmos_reset(struct rtc_cmos *rtc);

/* The timer's call: brings register C and the IRQ 8 line up to now and returns when the line
 * could next rise (ns, clock's scale), or RTC_NO_EVENT (no interrupt enabled, the clock
 * stopped, or the line is already up until register C is read). With the lock held. */
int64_t rtc_cmos_service(struct rtc_cmos *rtc);

/* The time now on the model's clock (ns since the epoch, UTC). */
int64_t rtc_cmos_now(const struct rtc_cmos *rtc);

/* Division rounding toward minus infinity, and its remainder (never negative for b > 0): times
 * before 1970 and a clock that steps back stay on the same grid. */
static inline int64_t rtc_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static inline int64_t rtc_floor_mod(int64_t a, int64_t b)
{
	return a - rtc_floor_div(a, b) * b;
}

/* A day number (days since 1970-01-01, negative before) as a proleptic Gregorian date, UTC
 * (rtc_cmos_calendar.c). */
struct rtc_civil_date {
	int64_t year;
	unsigned month;	  /* 1-12 */
	unsigned day;	  /* 1-31 */
	unsigned weekday; /* 0 = Sunday ... 6 = Saturday */
};
void rtc_civil_from_days(int64_t days, struct rtc_civil_date *date);

extern const struct bus_device_ops rtc_cmos_bus_ops;

#endif
