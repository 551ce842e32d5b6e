/* SPDX-License-Identifier: MIT */
/*
 * MC146818A (Motorola datasheet: address map, registers A-D): the time bytes 0 (seconds),
 * 2 (minutes), 4 (hours) and their alarms 1, 3, 5; register A bit 7 UIP (an update is near:
 * the bytes may change), register B bit 5 AIE, bit 2 DM (binary), bit 1 24/12; register C
 * bit 5 AF (read clears). In 12-hour mode bit 7 of the hours byte is PM.
 */
#include "rtc.h"

#define CMOS_INDEX     0x70
#define CMOS_DATA      0x71
#define RTC_SECONDS    0x00
#define RTC_SEC_ALARM  0x01
#define RTC_MINUTES    0x02
#define RTC_MIN_ALARM  0x03
#define RTC_HOURS      0x04
#define RTC_HOUR_ALARM 0x05
#define RTC_REG_A      0x0a
#define RTC_REG_B      0x0b
#define RTC_REG_C      0x0c
#define RTC_A_UIP      0x80
#define RTC_B_AIE      0x20
#define RTC_B_BINARY   0x04
#define RTC_B_24H      0x02
#define RTC_HOUR_PM    0x80
#define UIP_MAX_POLLS  100000

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write(uint8_t reg, uint8_t value)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, value);
}

static unsigned decode(uint8_t reg_b, uint8_t v)
{
	return (reg_b & RTC_B_BINARY) ? v : (unsigned)(v >> 4) * 10 + (v & 0xf);
}

static uint8_t encode(uint8_t reg_b, unsigned v)
{
	return (uint8_t)((reg_b & RTC_B_BINARY) ? v : (v / 10) << 4 | v % 10);
}

static unsigned decode_hours(uint8_t reg_b, uint8_t v)
{
	if (reg_b & RTC_B_24H)
		return decode(reg_b, v);
	unsigned hour12 = decode(reg_b, v & ~RTC_HOUR_PM) % 12; /* 12 AM is 0 */
	return hour12 + (v & RTC_HOUR_PM ? 12 : 0);
}

static uint8_t encode_hours(uint8_t reg_b, unsigned hour24)
{
	if (reg_b & RTC_B_24H)
		return encode(reg_b, hour24);
	unsigned hour12 = hour24 % 12 ? hour24 % 12 : 12;
	return (uint8_t)(encode(reg_b, hour12) | (hour24 >= 12 ? RTC_HOUR_PM : 0));
}

uint8_t rtc_format(void)
{
	return cmos_read(RTC_REG_B);
}

unsigned rtc_seconds(uint8_t format)
{
	return decode(format, cmos_read(RTC_SECONDS));
}

bool rtc_time_of_day(uint32_t *seconds)
{
	/* Read twice until both reads agree: an update between them would tear the value. */
	for (unsigned attempt = 0; attempt < 10; attempt++) {
		unsigned polls = 0;
		while ((cmos_read(RTC_REG_A) & RTC_A_UIP) && ++polls < UIP_MAX_POLLS)
			;
		if (polls == UIP_MAX_POLLS)
			return false;
		uint8_t b = cmos_read(RTC_REG_B), s = cmos_read(RTC_SECONDS),
			m = cmos_read(RTC_MINUTES), h = cmos_read(RTC_HOURS);
		if (s != cmos_read(RTC_SECONDS) || m != cmos_read(RTC_MINUTES) ||
		    h != cmos_read(RTC_HOURS))
			continue;
		*seconds = decode_hours(b, h) * 3600 + decode(b, m) * 60 + decode(b, s);
		return true;
	}
	return false;
}

bool rtc_alarm_in(uint32_t seconds)
{
	uint32_t now;
	if (!rtc_time_of_day(&now))
		return false;
	uint32_t when = (now + seconds) % 86400;
	uint8_t b = cmos_read(RTC_REG_B);
	cmos_write(RTC_SEC_ALARM, encode(b, when % 60));
	cmos_write(RTC_MIN_ALARM, encode(b, when / 60 % 60));
	cmos_write(RTC_HOUR_ALARM, encode_hours(b, when / 3600));
	(void)cmos_read(RTC_REG_C); /* a stale AF must not count */
	cmos_write(RTC_REG_B, b | RTC_B_AIE);
	return true;
}

uint8_t rtc_alarm_off(void)
{
	cmos_write(RTC_REG_B, cmos_read(RTC_REG_B) & ~RTC_B_AIE);
	return cmos_read(RTC_REG_C);
}
