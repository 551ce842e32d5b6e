/* SPDX-License-Identifier: MIT */
/*
 * TSC calibration. KVM gives the guest the host's TSC unscaled unless told otherwise
 * (KVM_SET_TSC_KHZ, api.rst 4.55), so ticks counted in the guest convert at the host's rate.
 */
#include "util/tsc_calibrate.h"

#include <stdint.h>
#include <time.h>

#include "util/monotonic_clock.h"
double tsc_calibrate_ghz(void)
{
	uint64_t t0 = monotonic_ns(), c0 = __builtin_ia32_rdtsc();
	while (monotonic_ns() - t0 < 50000000)
		;
	uint64_t t1 = monotonic_ns(), c1 = __builtin_ia32_rdtsc();
	return (double)(c1 - c0) / (double)(t1 - t0);
}
