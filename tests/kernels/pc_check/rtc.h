/* SPDX-License-Identifier: MIT */
/* The MC146818 CMOS real-time clock at ports 0x70/0x71: its time and its alarm. */
#ifndef PC_CHECK_RTC_H
#define PC_CHECK_RTC_H

#include "io.h"

/* Seconds since midnight, read between updates (UIP clear), in whatever format register B
 * says (BCD or binary, 12 or 24 hours); false if UIP never cleared. */
bool rtc_time_of_day(uint32_t *seconds);
/* Register B, whose format bits rtc_seconds() decodes by. */
uint8_t rtc_format(void);
/* The seconds, 0-59 (one read, no UIP wait: for timing the edges). */
unsigned rtc_seconds(uint8_t format);
/* Alarm at now + seconds (same day modulo 24 h), AIE on; false if the time is unreadable. */
bool rtc_alarm_in(uint32_t seconds);
/* AIE off and the interrupt flags read (cleared); returns register C as read. */
uint8_t rtc_alarm_off(void);

#endif
