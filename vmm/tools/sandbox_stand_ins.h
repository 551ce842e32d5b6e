/* SPDX-License-Identifier: MIT */
/*
 * The stand-in descriptor numbers of the build-time seccomp programs (gen_seccomp_filters.c),
 * and the check that each sits only where the run time may write a real descriptor.
 */
#ifndef MINIVMM_SANDBOX_STAND_INS_H
#define MINIVMM_SANDBOX_STAND_INS_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "host/sandbox_shape.h"

/* Descriptor numbers no real run has, one per role (SANDBOX_STAND_IN + role), in the order the
 * roles are opened (sandbox_shape.h), so that libseccomp orders its comparisons as it would for
 * real descriptors. */
#define SANDBOX_STAND_IN 0x5ecc0000u

/* Where a program holds its stand-ins: instruction and role, in program order. */
struct stand_in_places {
	size_t count;
	uint16_t insn[BPF_MAXINSNS];
	uint8_t role[BPF_MAXINSNS];
};

/* Walks the program (classic BPF jumps only forward) and records each stand-in's place. Returns
 * NULL if every instruction holding a stand-in is a `jeq` reached only with the low word of
 * argument 0 in the accumulator, for a descriptor shape has, and every jump stays inside the
 * program; else what is wrong, with *bad the instruction. */
const char *stand_ins_find(const struct sock_filter *insns, size_t len,
			   const struct sandbox_shape *shape, struct stand_in_places *places,
			   size_t *bad);

#endif
