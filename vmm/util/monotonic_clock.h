/* SPDX-License-Identifier: MIT */
/* The one clock minivmm measures intervals on: CLOCK_MONOTONIC, which no settimeofday() or NTP
 * step moves, in nanoseconds. Traces, pauses, uptime, timeouts and the TSC calibration all read
 * it, so their times compare. */
#ifndef MINIVMM_MONOTONIC_CLOCK_H
#define MINIVMM_MONOTONIC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t monotonic_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

#endif
