/* SPDX-License-Identifier: MIT */
/* COM1 (8250/16550 at 0x3F8): polled transmit, no interrupts, so it works before and after an
 * S3 resume whatever state the firmware left the UART in. */
#include "console.h"

#include "io.h"

#define COM1	       0x3f8
#define UART_LSR       5
#define UART_LSR_THRE  0x20
#define THRE_MAX_POLLS 100000 /* a UART that never drains must not hang the kernel */

static struct check_counts counts;

static void serial_putc(char c)
{
	for (unsigned i = 0; i < THRE_MAX_POLLS; i++)
		if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1, (uint8_t)c);
}

/* Where formatted characters go: COM1, or a bounded buffer (text_append). */
struct sink {
	char *buffer; /* NULL: COM1 */
	size_t size, used;
};

static void sink_put(struct sink *sink, char c)
{
	if (!sink->buffer) {
		serial_putc(c);
	} else if (sink->used + 1 < sink->size) {
		sink->buffer[sink->used++] = c;
		sink->buffer[sink->used] = 0;
	}
}

static void put_number(struct sink *sink, uint64_t value, unsigned base, unsigned width, char pad)
{
	char digits[24];
	unsigned n = 0;
	do {
		uint32_t digit;
		value = div64(value, base, &digit);
		digits[n++] = "0123456789abcdef"[digit];
	} while (value);
	while (width > n) {
		sink_put(sink, pad);
		width--;
	}
	while (n)
		sink_put(sink, digits[--n]);
}

static void format(struct sink *sink, const char *format, va_list args)
{
	for (const char *p = format; *p; p++) {
		if (*p != '%') {
			sink_put(sink, *p);
			continue;
		}
		p++;
		char pad = ' ';
		unsigned width = 0, longs = 0;
		if (*p == '0')
			pad = '0';
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (unsigned)(*p++ - '0');
		while (*p == 'l') {
			longs++;
			p++;
		}
		switch (*p) {
		case 's':
			for (const char *s = va_arg(args, const char *); *s; s++)
				sink_put(sink, *s);
			break;
		case 'c':
			sink_put(sink, (char)va_arg(args, int));
			break;
		case 'd': {
			int v = va_arg(args, int);
			if (v < 0)
				sink_put(sink, '-');
			put_number(sink, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = longs >= 2 ? va_arg(args, uint64_t) : va_arg(args, unsigned);
			put_number(sink, v, *p == 'u' ? 10 : 16, width, pad);
			break;
		}
		case '%':
			sink_put(sink, '%');
			break;
		default:
			return;
		}
	}
}

void kvprintf(const char *fmt, va_list args)
{
	struct sink sink = {0};
	format(&sink, fmt, args);
}

void kprintf(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	kvprintf(fmt, args);
	va_end(args);
}

void text_append(char *buffer, size_t size, const char *fmt, ...)
{
	struct sink sink = {buffer, size, strlen(buffer)};
	va_list args;
	va_start(args, fmt);
	format(&sink, fmt, args);
	va_end(args);
}

static void report(const char *verdict, const char *name, const char *format, va_list args)
{
	kprintf("%s %s ", verdict, name);
	kvprintf(format, args);
	serial_putc('\n');
}

void check_ok(const char *name, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	report("ok", name, format, args);
	va_end(args);
	counts.ok++;
}

void check_fail(const char *name, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	report("FAIL", name, format, args);
	va_end(args);
	counts.failed++;
}

void check_skip(const char *name, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	report("skip", name, format, args);
	va_end(args);
	counts.skipped++;
}

int check(int good, const char *name, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	report(good ? "ok" : "FAIL", name, format, args);
	va_end(args);
	if (good)
		counts.ok++;
	else
		counts.failed++;
	return good;
}

struct check_counts check_counts_get(void)
{
	return counts;
}

void check_counts_set(const struct check_counts *saved)
{
	counts = *saved;
}

unsigned check_summary(void)
{
	kprintf("summary: %u ok, %u FAIL, %u skip\n", counts.ok, counts.failed, counts.skipped);
	return counts.failed;
}
