/* SPDX-License-Identifier: MIT */
/* The few C library functions a freestanding kernel still needs (gcc may call memcpy/memset
 * for struct copies even with -ffreestanding), and 64-bit division without libgcc. */
#include "io.h"

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a < (uint8_t)*b ? -1 : 1;
		if (!*a)
			return 0;
	}
	return 0;
}

uint64_t div64(uint64_t n, uint32_t d, uint32_t *remainder)
{
	uint32_t high = (uint32_t)(n >> 32), low = (uint32_t)n, q_high, q_low, r;
	/* Two DIVs, each with a quotient that fits 32 bits: high / d, then (rem:low) / d. */
	q_high = high / d;
	r = high % d;
	__asm__("divl %4" : "=a"(q_low), "=d"(r) : "a"(low), "d"(r), "rm"(d));
	if (remainder)
		*remainder = r;
	return (uint64_t)q_high << 32 | q_low;
}

uint8_t byte_sum(const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	while (n--)
		sum = (uint8_t)(sum + *b++);
	return sum;
}
