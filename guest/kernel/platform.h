/*
 * The PC platform devices beyond the console (platform.c): the CMOS real-time clock and the
 * reset ports.
 */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#include <stdint.h>
#include <stdnoreturn.h>

/* System calls (syscall_numbers.h). */
int64_t sys_rtc_time(uint64_t user_buffer);
noreturn void sys_reboot(void);

#endif
