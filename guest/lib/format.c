/* SPDX-License-Identifier: MIT */
/*
 * The printf engine shared by kprintf (ring 0) and the user library's printf (ring 3). Literal
 * text is handed to the sink in runs rather than byte by byte, so a kernel sink writing to the
 * serial port pays one call per run.
 */
#include <stdbool.h>
#include <stdint.h>

#include "guest/format.h"
#include "guest/string.h"

struct conversion {
	unsigned width;
	bool zero_pad;
	bool left_justify;
};

static void emit_padding(format_sink sink, void *ctx, char pad, unsigned count)
{
	static const char spaces[16] = "                ";
	static const char zeros[16] = "0000000000000000";
	const char *source = pad == '0' ? zeros : spaces;

	while (count) {
		unsigned chunk = count < sizeof(spaces) ? count : sizeof(spaces);
		sink(ctx, source, chunk);
		count -= chunk;
	}
}

/* Emits text padded to the conversion's width. sign_len leading characters (a '-' or "0x") go
 * before any zero padding. */
static unsigned emit_field(format_sink sink, void *ctx, const struct conversion *conv,
			   const char *text, size_t len, size_t sign_len)
{
	unsigned pad = conv->width > len ? conv->width - (unsigned)len : 0;

	if (conv->left_justify) {
		sink(ctx, text, len);
		emit_padding(sink, ctx, ' ', pad);
	} else if (conv->zero_pad) {
		if (sign_len)
			sink(ctx, text, sign_len);
		emit_padding(sink, ctx, '0', pad);
		sink(ctx, text + sign_len, len - sign_len);
	} else {
		emit_padding(sink, ctx, ' ', pad);
		sink(ctx, text, len);
	}
	return (unsigned)len + pad;
}

/* Writes the digits of value right-aligned ending at end; returns the first character. */
static char *format_unsigned(char *end, uint64_t value, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		*--end = digits[value % base];
		value /= base;
	} while (value);
	return end;
}

int format_v(format_sink sink, void *ctx, const char *fmt, va_list args)
{
	unsigned total = 0;

	while (*fmt) {
		const char *run = fmt;
		while (*fmt && *fmt != '%')
			fmt++;
		if (fmt != run) {
			sink(ctx, run, (size_t)(fmt - run));
			total += (unsigned)(fmt - run);
		}
		if (!*fmt)
			break;
		fmt++; /* the '%' */

		struct conversion conv = {0};
		for (;; fmt++) {
			if (*fmt == '0')
				conv.zero_pad = true;
			else if (*fmt == '-')
				conv.left_justify = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			conv.width = conv.width * 10 + (unsigned)(*fmt++ - '0');
		int longs = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			longs += *fmt == 'z' ? 2 : 1;
			fmt++;
		}

		char buf[24]; /* 20 decimal digits of 2^64 plus "-" or "0x" */
		char *end = buf + sizeof(buf);
		char *text = end;
		size_t sign_len = 0;
		char spec = *fmt ? *fmt++ : '\0';
		switch (spec) {
		case 'd':
		case 'i': {
			int64_t value = longs ? va_arg(args, int64_t) : va_arg(args, int);
			uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
			text = format_unsigned(end, magnitude, 10, false);
			if (value < 0) {
				*--text = '-';
				sign_len = 1;
			}
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t value = longs ? va_arg(args, uint64_t) : va_arg(args, unsigned);
			text = format_unsigned(end, value, spec == 'u' ? 10 : 16, spec == 'X');
			break;
		}
		case 'p':
			text = format_unsigned(end, (uintptr_t)va_arg(args, void *), 16, false);
			*--text = 'x';
			*--text = '0';
			sign_len = 2;
			break;
		case 'c':
			*--text = (char)va_arg(args, int);
			break;
		case 's': {
			const char *s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			conv.zero_pad = false;
			total += emit_field(sink, ctx, &conv, s, strlen(s), 0);
			continue;
		}
		case '%':
			*--text = '%';
			break;
		default: /* unknown conversion: show it as written */
			*--text = spec;
			*--text = '%';
			break;
		}
		total += emit_field(sink, ctx, &conv, text, (size_t)(end - text), sign_len);
	}
	return (int)total;
}

struct buffer_sink {
	char *buf;
	size_t size; /* capacity, including the NUL */
	size_t used; /* characters stored so far, excluding the NUL */
};

static void buffer_sink_write(void *ctx, const char *piece, size_t len)
{
	struct buffer_sink *b = ctx;

	if (b->size == 0)
		return;
	size_t room = b->size - 1 - b->used;
	size_t n = len < room ? len : room;
	memcpy(b->buf + b->used, piece, n);
	b->used += n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct buffer_sink b = {buf, size, 0};
	int len = format_v(buffer_sink_write, &b, fmt, args);

	if (size)
		buf[b.used] = '\0';
	return len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	int len = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return len;
}
