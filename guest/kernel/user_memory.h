/* SPDX-License-Identifier: MIT */
/*
 * The check every system call makes before touching memory ring 3 handed it (the same rule as
 * syscall.c's user_range_ok): the range must lie inside the program's own memory.
 */
#ifndef GUEST_USER_MEMORY_H
#define GUEST_USER_MEMORY_H

#include <stdint.h>

extern char __user_begin[], __user_end[]; /* guest.ld */

/* True if [address, address + len) lies inside [__user_begin, __user_end) (overflow-safe). */
static inline int user_buffer_ok(uint64_t address, uint64_t len)
{
	uint64_t begin = (uint64_t)__user_begin, end = (uint64_t)__user_end;

	return address >= begin && address <= end && len <= end - address;
}

#endif
