/* SPDX-License-Identifier: MIT */
/* The host's TSC rate, for turning guest TSC cycle counts into time (compare, bench). */
#ifndef MINIVMM_UTIL_TSC_CALIBRATE_H
#define MINIVMM_UTIL_TSC_CALIBRATE_H

/* TSC ticks per nanosecond, against CLOCK_MONOTONIC over about 50 ms of spinning. */
double tsc_calibrate_ghz(void);

#endif
