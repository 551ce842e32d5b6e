/* SPDX-License-Identifier: MIT */
/*
 * CMOS clock and machine reset, as a PC kernel drives them.
 *
 * RTC (Motorola MC146818A datasheet): port 0x70 selects a register, 0x71 reads it. Register B
 * says how the time bytes are coded: BCD or binary (DM, bit 2), 12- or 24-hour (bit 1, with
 * the PM flag in bit 7 of the hours in 12-hour mode). The datasheet's rule for a consistent
 * reading: start when UIP (register A bit 7) is clear, and since a whole reading takes longer
 * than the 244 us UIP warns ahead, read until two readings in a row agree.
 *
 * Reset: the i8042's "pulse output port" command 0xFE on port 0x64, sent once its input buffer
 * is empty (status bit 1); if the machine is still running, the reset control register 0xCF9
 * (SYS_RST then RST_CPU, as the Intel PCH datasheets describe).
 */
#include <stdint.h>

#include "guest/string.h"
#include "guest/syscall_numbers.h"
#include "guest/x86.h"
#include "minivmm/boot_abi.h"
#include "console.h"
#include "platform.h"
#include "user_memory.h"

#define CMOS_INDEX	 0x70
#define CMOS_DATA	 0x71
#define CMOS_NMI_DISABLE 0x80 /* bit 7 of the index: keep NMIs masked while we read */
#define RTC_SECONDS	 0x00
#define RTC_MINUTES	 0x02
#define RTC_HOURS	 0x04
#define RTC_WEEKDAY	 0x06
#define RTC_DAY		 0x07
#define RTC_MONTH	 0x08
#define RTC_YEAR	 0x09
#define RTC_STATUS_A	 0x0a
#define RTC_STATUS_B	 0x0b
#define RTC_CENTURY	 0x32
#define RTC_A_UIP	 0x80
#define RTC_B_BINARY	 0x04
#define RTC_B_24H	 0x02
#define RTC_HOUR_PM	 0x80
#define RTC_TRIES	 8

#define I8042_STATUS	   0x64
#define I8042_COMMAND	   0x64
#define I8042_INPUT_FULL   0x02
#define I8042_PULSE_RESET  0xfe
#define RESET_CONTROL	   0xcf9
#define RESET_CONTROL_HARD 0x02
#define RESET_CONTROL_RST  0x04
#define I8042_WAIT_TRIES   64

uint8_t cmos_read(uint8_t index)
{
	outb(CMOS_INDEX, CMOS_NMI_DISABLE | index);
	return inb(CMOS_DATA);
}

void cmos_write(uint8_t index, uint8_t value)
{
	outb(CMOS_INDEX, CMOS_NMI_DISABLE | index);
	outb(CMOS_DATA, value);
}

struct raw_time {
	uint8_t second, minute, hour, weekday, day, month, year, century;
};

static void read_raw_time(struct raw_time *t)
{
	for (int i = 0; i < RTC_TRIES && (cmos_read(RTC_STATUS_A) & RTC_A_UIP); i++)
		;
	t->second = cmos_read(RTC_SECONDS);
	t->minute = cmos_read(RTC_MINUTES);
	t->hour = cmos_read(RTC_HOURS);
	t->weekday = cmos_read(RTC_WEEKDAY);
	t->day = cmos_read(RTC_DAY);
	t->month = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
	t->century = cmos_read(RTC_CENTURY);
}

static uint8_t from_bcd(uint8_t value)
{
	return (uint8_t)((value >> 4) * 10 + (value & 0x0f));
}

int64_t sys_rtc_time(uint64_t user_buffer)
{
	struct guest_rtc_time *out = (struct guest_rtc_time *)user_buffer;
	if (!user_buffer_ok(user_buffer, sizeof(*out)))
		return -GUEST_EFAULT;
	struct raw_time t, again;
	read_raw_time(&t);
	for (int i = 0; i < RTC_TRIES; i++) {
		read_raw_time(&again);
		if (memcmp(&t, &again, sizeof(t)) == 0)
			break;
		t = again;
	}
	uint8_t status_b = cmos_read(RTC_STATUS_B);
	uint8_t pm = t.hour & RTC_HOUR_PM;
	uint8_t hour = t.hour & (uint8_t)~RTC_HOUR_PM;
	uint8_t *fields[] = {&t.second, &t.minute, &hour,   &t.weekday,
			     &t.day,	&t.month,  &t.year, &t.century};
	if (!(status_b & RTC_B_BINARY))
		for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			*fields[i] = from_bcd(*fields[i]);
	if (!(status_b & RTC_B_24H)) /* 12 AM is 0:xx, 12 PM is 12:xx */
		hour = (uint8_t)(hour % 12 + (pm ? 12 : 0));
	out->year = (unsigned short)((t.century ? t.century : 20) * 100 + t.year);
	out->month = t.month;
	out->day = t.day;
	out->hour = hour;
	out->minute = t.minute;
	out->second = t.second;
	out->weekday = t.weekday;
	return 0;
}

noreturn void sys_reboot(void)
{
	for (int i = 0; i < I8042_WAIT_TRIES && (inb(I8042_STATUS) & I8042_INPUT_FULL); i++)
		;
	outb(I8042_COMMAND, I8042_PULSE_RESET);
	outb(RESET_CONTROL, RESET_CONTROL_HARD);
	outb(RESET_CONTROL, RESET_CONTROL_HARD | RESET_CONTROL_RST);
	kputs("guest: the machine did not reset\n");
	machine_exit(GUEST_STATUS_KERNEL_FAULT);
}
