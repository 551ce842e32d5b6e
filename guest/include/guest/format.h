/* SPDX-License-Identifier: MIT */
/*
 * A small printf-style formatter (guest/lib/format.c), shared by the kernel's kprintf and the user
 * library's printf. Supported: %s %c %d %i %u %x %X %p %%, the length modifiers l and ll (and z),
 * a field width, the '0' flag (zero pad) and the '-' flag (left-justify). No floating point.
 */
#ifndef GUEST_FORMAT_H
#define GUEST_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives the formatted output in pieces (a piece is not NUL-terminated). */
typedef void (*format_sink)(void *ctx, const char *piece, size_t len);

/* Returns the number of characters produced. */
int format_v(format_sink sink, void *ctx, const char *fmt, va_list args);

/* Like C's vsnprintf/snprintf: writes at most size-1 characters plus a NUL (if size > 0) and
 * returns the length the full output would have had. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
