/* SPDX-License-Identifier: MIT */
/*
 * The PC platform devices beyond the console (platform.c): the CMOS real-time clock and the
 * reset ports.
 */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#include <stdint.h>
#include <stdnoreturn.h>

/* One CMOS byte through ports 0x70/0x71 (NMIs stay masked). Not atomic: call with IF clear,
 * since the RTC interrupt handler (irq_stubs.S) moves the index to register C. */
uint8_t cmos_read(uint8_t index);
void cmos_write(uint8_t index, uint8_t value);

/* System calls (syscall_numbers.h). */
int64_t sys_rtc_time(uint64_t user_buffer);
noreturn void sys_reboot(void);

#endif
