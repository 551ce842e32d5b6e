/* SPDX-License-Identifier: MIT */
/*
 * The computation workload shared by the host and the guest: the same C, compiled once into the
 * minivmm binary (host flags) and once into the toy guest's kernel and programs (freestanding
 * flags), so `minivmm compare` times the very same loop on both sides.
 *
 * Freestanding-safe: <stdint.h> only, no libc calls, no floating point, nothing GCC could turn into
 * a memcpy/memset call.
 */
#ifndef MINIVMM_WORKLOADS_H
#define MINIVMM_WORKLOADS_H

#include <stdint.h>

/* A fixed integer workload of `iters` steps: an xorshift64 generator (Marsaglia, "Xorshift RNGs",
 * 2003) folded into a multiplicative hash. Each step depends on the one before, so the compiler
 * can neither vectorize nor shorten the loop, and the time is linear in iters. Returns the
 * checksum, which is the same on every machine for a given iters (a cross-check that both sides
 * did the same work). */
uint64_t workload_compute(uint64_t iters);

#endif
