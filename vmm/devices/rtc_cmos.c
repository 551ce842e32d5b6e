/*
 * MC146818A real-time clock (Motorola datasheet: "Address Map", "Time, Calendar and Alarm
 * Locations", "Register A" to "Register D"), as wired on the PC: port 0x70 selects a byte of
 * its 128-byte address space (bit 7 of that write masks NMI on the PC: ignored here), port 0x71
 * reads or writes it.
 *
 * The clock is the host's: every read of a time or date byte converts time(NULL) (UTC, gmtime)
 * into the format register B asks for: BCD or binary (DM, bit 2) and 24-hour or 12-hour with the
 * PM flag in bit 7 of the hours (24/12, bit 1). Both bits are guest-writable and honoured both
 * ways. Deliberate simplifications:
 * - The registers are computed at the moment of the read, so the time never changes under a
 *   guest in the middle of an update: UIP (register A bit 7) always reads 0. A guest that reads
 *   the bytes one by one across a second boundary can still see a torn time; the usual "read
 *   twice until equal" loop handles it, as on the chip.
 * - Writes to the time and date bytes (0x00, 0x02, 0x04, 0x06-0x09) are ignored: the host's
 *   clock cannot be set by a guest. Alarm bytes (0x01, 0x03, 0x05) are stored.
 * - No interrupts: periodic, alarm and update-ended flags never rise, so register C reads 0 (and
 *   "read clears" it, as the datasheet says).
 * Register D reads 0x80 (VRT: valid RAM and time); the century byte 0x32 follows register B.
 */
#include "devices/rtc_cmos.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"

/* Power-on values a PC BIOS leaves: 32.768 kHz time base (DV = 010), 1024 Hz rate (RS = 0110);
 * 24-hour BCD, no interrupts. */
#define RTC_A_DEFAULT  0x26
#define RTC_A_WRITABLE 0x7f /* UIP is read-only */
#define RTC_B_DEFAULT  RTC_B_24H

static uint8_t to_bcd(unsigned value)
{
	return (uint8_t)((value / 10 % 10) << 4 | value % 10);
}

static uint8_t encode(const struct rtc_cmos *rtc, unsigned value)
{
	return (rtc->ram[RTC_REG_B] & RTC_B_BINARY) ? (uint8_t)value : to_bcd(value);
}

static uint8_t encode_hours(const struct rtc_cmos *rtc, unsigned hour24)
{
	if (rtc->ram[RTC_REG_B] & RTC_B_24H)
		return encode(rtc, hour24);
	/* 12-hour mode: 12, 1, ..., 11, with bit 7 set from noon on. */
	unsigned hour12 = hour24 % 12 ? hour24 % 12 : 12;
	return (uint8_t)(encode(rtc, hour12) | (hour24 >= 12 ? RTC_HOUR_PM_BIT : 0));
}

static uint8_t read_time_byte(const struct rtc_cmos *rtc, uint8_t index)
{
	time_t now = rtc->clock ? rtc->clock(rtc->clock_ctx) : time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm))
		memset(&tm, 0, sizeof tm);
	unsigned year = (unsigned)tm.tm_year + 1900;
	switch (index) {
	case RTC_REG_SECONDS:
		return encode(rtc, (unsigned)tm.tm_sec);
	case RTC_REG_MINUTES:
		return encode(rtc, (unsigned)tm.tm_min);
	case RTC_REG_HOURS:
		return encode_hours(rtc, (unsigned)tm.tm_hour);
	case RTC_REG_DAY_OF_WEEK:
		return encode(rtc, (unsigned)tm.tm_wday + 1); /* 1 = Sunday */
	case RTC_REG_DAY_OF_MONTH:
		return encode(rtc, (unsigned)tm.tm_mday);
	case RTC_REG_MONTH:
		return encode(rtc, (unsigned)tm.tm_mon + 1);
	case RTC_REG_YEAR:
		return encode(rtc, year % 100);
	default: /* RTC_REG_CENTURY */
		return encode(rtc, year / 100);
	}
}

static int is_time_byte(uint8_t index)
{
	return index == RTC_REG_SECONDS || index == RTC_REG_MINUTES || index == RTC_REG_HOURS ||
	       (index >= RTC_REG_DAY_OF_WEEK && index <= RTC_REG_YEAR) || index == RTC_REG_CENTURY;
}

void rtc_cmos_init(struct rtc_cmos *rtc, rtc_clock_fn clock, void *clock_ctx)
{
	memset(rtc, 0, sizeof *rtc);
	pthread_mutex_init(&rtc->lock, NULL);
	rtc->clock = clock;
	rtc->clock_ctx = clock_ctx;
	rtc->ram[RTC_REG_A] = RTC_A_DEFAULT;
	rtc->ram[RTC_REG_B] = RTC_B_DEFAULT;
}

void rtc_cmos_destroy(struct rtc_cmos *rtc)
{
	pthread_mutex_destroy(&rtc->lock);
}

uint8_t rtc_cmos_read(struct rtc_cmos *rtc, uint8_t index)
{
	index &= RTC_CMOS_INDEX_MASK;
	if (is_time_byte(index))
		return read_time_byte(rtc, index);
	switch (index) {
	case RTC_REG_C: {
		uint8_t flags = rtc->ram[RTC_REG_C];
		rtc->ram[RTC_REG_C] = 0; /* "all flag bits are cleared after register C is read" */
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
		rtc->ram[RTC_REG_A] = value & RTC_A_WRITABLE;
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

static void rtc_cmos_free(void *state)
{
	rtc_cmos_destroy(state);
	free(state);
}

static int rtc_cmos_attach(struct vm *vm, struct vmm_error *err)
{
	struct rtc_cmos *rtc = malloc(sizeof *rtc);
	if (!rtc)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	rtc_cmos_init(rtc, NULL, NULL);
	int ret = vm_add_device(vm, "rtc-cmos", rtc, rtc_cmos_free, err);
	if (ret) {
		rtc_cmos_free(rtc);
		return ret;
	}
	ret = bus_register(&vm->pio_bus, RTC_CMOS_PORT, RTC_CMOS_PORT_COUNT, "rtc-cmos",
			   &rtc_cmos_bus_ops, rtc);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL,
				     "cannot register the RTC at 0x70");
	return 0;
}

const struct device_module rtc_cmos_module = {"rtc-cmos", rtc_cmos_attach};
