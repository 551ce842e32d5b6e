/*
 * The PC's CMOS real-time clock (Motorola MC146818A datasheet) at ports 0x70 (index) and 0x71
 * (data): the host's wall clock (UTC) as the time and date registers, status registers A-D, and
 * the remaining bytes of its 128-byte RAM as plain storage.
 */
#ifndef MINIVMM_RTC_CMOS_H
#define MINIVMM_RTC_CMOS_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "bus.h"

#define RTC_CMOS_PORT	     0x70
#define RTC_CMOS_PORT_COUNT  2
#define RTC_CMOS_RAM_SIZE    128
#define RTC_CMOS_INDEX_MASK  0x7f /* bit 7 of an index write is the PC's NMI mask (ignored) */
#define RTC_REG_SECONDS	     0x00
#define RTC_REG_MINUTES	     0x02
#define RTC_REG_HOURS	     0x04
#define RTC_REG_DAY_OF_WEEK  0x06
#define RTC_REG_DAY_OF_MONTH 0x07
#define RTC_REG_MONTH	     0x08
#define RTC_REG_YEAR	     0x09
#define RTC_REG_A	     0x0a
#define RTC_REG_B	     0x0b
#define RTC_REG_C	     0x0c
#define RTC_REG_D	     0x0d
#define RTC_REG_CENTURY	     0x32 /* the PC/AT's convention (also ACPI's FADT default) */

#define RTC_A_UIP	0x80 /* update in progress */
#define RTC_B_SET	0x80
#define RTC_B_BINARY	0x04 /* DM: 1 binary, 0 BCD */
#define RTC_B_24H	0x02 /* 1 24-hour, 0 12-hour with bit 7 of the hours = PM */
#define RTC_D_VALID	0x80 /* VRT: RAM and time valid */
#define RTC_HOUR_PM_BIT 0x80

/* The clock the registers show; tests pass a fixed one. */
typedef time_t (*rtc_clock_fn)(void *ctx);

struct rtc_cmos {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t ram[RTC_CMOS_RAM_SIZE]; /* registers A, B and the plain RAM bytes live here */
	rtc_clock_fn clock;		/* NULL: time(NULL) */
	void *clock_ctx;
};

void rtc_cmos_init(struct rtc_cmos *rtc, rtc_clock_fn clock, void *clock_ctx);
void rtc_cmos_destroy(struct rtc_cmos *rtc);

/* One register by index (what port 0x71 does after port 0x70 chose it). */
uint8_t rtc_cmos_read(struct rtc_cmos *rtc, uint8_t index);
void rtc_cmos_write(struct rtc_cmos *rtc, uint8_t index, uint8_t value);

extern const struct bus_device_ops rtc_cmos_bus_ops;

#endif
