/* SPDX-License-Identifier: MIT */
/* Whole reads and writes at an offset: pread(2)/pwrite(2) go on after a partial transfer or an
 * interrupted call (a single call moves at most ~2 GiB, and a signal may cut it short). */
#ifndef MINIVMM_FULL_IO_H
#define MINIVMM_FULL_IO_H

#include <stddef.h>
#include <stdint.h>

/* All len bytes at offset: 0, a negative errno, or -EIO if the file ends first. */
int pread_full(int fd, void *buf, size_t len, uint64_t offset);

/* All len bytes at offset: 0, a negative errno, or -EIO if a write moves nothing. */
int pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);

#endif
