/* SPDX-License-Identifier: MIT */
/*
 * The tiny ring-3 C library: thin system-call wrappers, and printf formatted in user space (the
 * shared guest/lib/format.c) so the kernel only copies finished text to the console.
 */
#include <stdarg.h>

#include "guest/format.h"
#include "guest/string.h"
#include "guest/user.h"

noreturn void exit(int status)
{
	syscall1(SYS_EXIT, (uint64_t)(unsigned)status);
	__builtin_unreachable();
}

int64_t write(const void *buf, size_t len)
{
	return syscall2(SYS_WRITE, (uint64_t)buf, len);
}

int64_t get_boot_info(struct minivmm_boot_info *info, size_t len)
{
	return syscall2(SYS_BOOT_INFO, (uint64_t)info, len);
}

uint64_t sys_rdtsc(void)
{
	return (uint64_t)syscall0(SYS_RDTSC);
}

int64_t port_read(uint16_t port, unsigned width)
{
	return syscall2(SYS_PORT_READ, port, width);
}

int64_t port_write(uint16_t port, unsigned width, uint32_t value)
{
	return syscall3(SYS_PORT_WRITE, port, width, value);
}

int64_t sys_nop(void)
{
	return syscall0(SYS_NOP);
}

int64_t ioport_grant(uint64_t port, uint64_t count)
{
	return syscall2(SYS_IOPORT_GRANT, port, count);
}

int64_t mmio_map(uint64_t gpa)
{
	return syscall1(SYS_MMIO_MAP, gpa);
}

int64_t mem_map(uint64_t bytes)
{
	return syscall1(SYS_MEM_MAP, bytes);
}

int64_t mmio_write(uint64_t gpa, uint32_t value)
{
	return syscall2(SYS_MMIO_WRITE, gpa, value);
}

int64_t run_compute_in_kernel(uint64_t iters)
{
	return syscall1(SYS_RUN_COMPUTE, iters);
}

int64_t read_console(void *buf, size_t len)
{
	return syscall2(SYS_CONSOLE_READ, (uint64_t)buf, len);
}

uint64_t ticks_since_boot(void)
{
	return (uint64_t)syscall0(SYS_TICKS);
}

uint64_t tick_hz(void)
{
	return (uint64_t)syscall0(SYS_TICK_HZ);
}

int64_t sleep_ticks(uint64_t ticks)
{
	return syscall1(SYS_SLEEP_TICKS, ticks);
}

int64_t rtc_time(struct guest_rtc_time *time)
{
	return syscall1(SYS_RTC_TIME, (uint64_t)time);
}

int64_t rtc_periodic(unsigned rate)
{
	return syscall1(SYS_RTC_PERIODIC, rate);
}

uint64_t rtc_interrupts(void)
{
	return (uint64_t)syscall0(SYS_RTC_INTERRUPTS);
}

noreturn void reboot(void)
{
	syscall0(SYS_REBOOT);
	__builtin_unreachable();
}

int print(const char *text)
{
	return (int)write(text, strlen(text));
}

/* printf's buffer: flushed with one write when full and at the end. */
struct print_buffer {
	char text[256];
	size_t used;
};

static void print_buffer_sink(void *ctx, const char *piece, size_t len)
{
	struct print_buffer *out = ctx;

	while (len) {
		if (out->used == sizeof(out->text)) {
			write(out->text, out->used);
			out->used = 0;
		}
		size_t room = sizeof(out->text) - out->used;
		size_t n = len < room ? len : room;
		memcpy(out->text + out->used, piece, n);
		out->used += n;
		piece += n;
		len -= n;
	}
}

int printf(const char *fmt, ...)
{
	struct print_buffer out;
	va_list args;

	out.used = 0;
	va_start(args, fmt);
	int len = format_v(print_buffer_sink, &out, fmt, args);
	va_end(args);
	if (out.used)
		write(out.text, out.used);
	return len;
}
