/* SPDX-License-Identifier: MIT */
/*
 * Little-endian field writers and the byte checksum shared by the ACPI and MP table builders:
 * both specifications define their tables as packed little-endian bytes whose sum (or a part's
 * sum) is zero mod 256 (ACPI 6.5 5.2.5.3 and 5.2.6; MP spec 1.4 4.1 and 4.2).
 */
#ifndef MINIVMM_PLATFORM_TABLE_BYTES_H
#define MINIVMM_PLATFORM_TABLE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* The sum of n bytes, mod 256. */
static inline uint8_t table_sum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

/* Stores at *field the byte that makes the sum of [p, p + n) zero (field lies inside). */
static inline void table_fix_checksum(const uint8_t *p, size_t n, uint8_t *field)
{
	*field = 0;
	*field = (uint8_t)(0x100 - table_sum(p, n));
}

#endif
