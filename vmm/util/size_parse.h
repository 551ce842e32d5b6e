/* SPDX-License-Identifier: MIT */
/*
 * The numbers a user types, in one strict form each: no blanks, no signs, nothing after the
 * number. strtol and friends skip blanks and take signs, and strtod takes hex, exponents, "inf"
 * and "nan": each form here is checked character by character instead, so every option of every
 * subcommand refuses the same things. Each returns 0, -EINVAL (not that form) or -ERANGE (the
 * form, but too large or outside the range given) and leaves *value untouched on failure.
 */
#ifndef MINIVMM_SIZE_PARSE_H
#define MINIVMM_SIZE_PARSE_H

#include <stdint.h>

/* A count: decimal digits only ("8", "20000"; leading zeros are still decimal). */
int parse_count(const char *text, uint64_t *value);

/* A size in bytes: decimal digits, then optionally K, M or G (powers of 1024, any case), which
 * may be followed by "iB"; a plain "B" may end any size. "64M", "1g", "512MiB", "4096", "4096B". */
int parse_size(const char *text, uint64_t *bytes);

/* An address or other integer: decimal digits, or 0x (0X) and hex digits. Never octal: "010"
 * is ten. */
int parse_u64(const char *text, uint64_t *value);

/* A plain decimal number: digits with an optional fraction ("5", "0.5", ".5"; not "5.", "1e3",
 * "0x10", "inf"). Independent of the locale: minivmm never calls setlocale(). */
int parse_decimal(const char *text, double *value);

/* Seconds for a timeout: parse_decimal()'s form, above 0 and at most a year (-ERANGE). */
#define PARSE_SECONDS_MAX (365.0 * 24 * 3600)
int parse_seconds(const char *text, double *seconds);

#endif
