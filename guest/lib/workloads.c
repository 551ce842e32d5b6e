/* SPDX-License-Identifier: MIT */
/*
 * The shared computation workload (include/minivmm/workloads.h). Built into both the host binary
 * and the guest, so keep it plain C with fixed-width integer arithmetic only.
 */
#include "minivmm/workloads.h"

#define XORSHIFT_SEED	UINT64_C(0x2545f4914f6cdd1d)
#define HASH_MULTIPLIER UINT64_C(0x9e3779b97f4a7c15) /* 2^64 / golden ratio (Knuth) */

uint64_t workload_compute(uint64_t iters)
{
	uint64_t x = XORSHIFT_SEED, hash = 0;

	for (uint64_t i = 0; i < iters; i++) {
		/* xorshift64 with the (13, 7, 17) triple from Marsaglia's paper. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		hash = (hash ^ x) * HASH_MULTIPLIER;
		hash ^= hash >> 29;
	}
	return hash;
}
