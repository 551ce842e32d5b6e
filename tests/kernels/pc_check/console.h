/* SPDX-License-Identifier: MIT */
/* COM1 output and the check report: one line per check, "ok NAME details", "FAIL NAME
 * details" or "skip NAME reason", and a summary line the test scripts read. */
#ifndef PC_CHECK_CONSOLE_H
#define PC_CHECK_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/* %s %c %d %u %x with optional '0' and width, %llu %llx for 64-bit values, %%. */
void kprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *format, va_list args);
/* The same formats appended to the string in buffer, cut at size - 1 characters. */
void text_append(char *buffer, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

void check_ok(const char *name, const char *format, ...) __attribute__((format(printf, 2, 3)));
void check_fail(const char *name, const char *format, ...) __attribute__((format(printf, 2, 3)));
void check_skip(const char *name, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* ok when good, FAIL otherwise, with the same details either way; returns good. */
int check(int good, const char *name, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* The counts behind the summary, kept across an S3 resume by sleep.c. */
struct check_counts {
	unsigned ok, failed, skipped;
};
struct check_counts check_counts_get(void);
void check_counts_set(const struct check_counts *counts);
/* "summary: N ok, N FAIL, N skip"; returns the number of failures. */
unsigned check_summary(void);

#endif
