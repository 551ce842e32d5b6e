/* Parsing of the numbers a user types: sizes with K/M/G suffixes, addresses, durations. */
#ifndef MINIVMM_SIZE_PARSE_H
#define MINIVMM_SIZE_PARSE_H

#include <stdint.h>

/* "64M", "1G", "2048K", "4096" (bytes), case-insensitive suffix, optional trailing "iB"/"B".
 * Returns 0 or -EINVAL (not a size) / -ERANGE (overflows 64 bits). */
int parse_size(const char *text, uint64_t *bytes);

/* A non-negative integer in decimal or 0x-hex, fitting in 64 bits. */
int parse_u64(const char *text, uint64_t *value);

/* Seconds, decimal fraction allowed ("2", "0.5"); must be > 0 and at most a year. */
int parse_seconds(const char *text, double *seconds);

#endif
