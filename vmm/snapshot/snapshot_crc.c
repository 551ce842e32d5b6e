/* SPDX-License-Identifier: MIT */
/*
 * The snapshot's checksum: zlib's CRC-32. zlib is on every Debian system (libz is already in
 * minivmm's link through libelf), its crc32() is table-driven and fast enough for the few
 * hundred KiB of state a snapshot checks, and it catches truncation and flipped bits. It is
 * no defence against a forged file: the parser bounds every size anyway.
 */
#include <zlib.h>

#include "snapshot/snapshot_format.h"

uint32_t snapshot_crc32(const void *data, uint64_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	const Bytef *p = data;
	while (len) { /* crc32() takes a uInt length */
		uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
		crc = crc32(crc, p, chunk);
		p += chunk;
		len -= chunk;
	}
	return (uint32_t)crc;
}
