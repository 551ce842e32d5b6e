/* SPDX-License-Identifier: MIT */
/*
 * The seccomp allowlist of `minivmm run` as libseccomp rules (docs/security.md's table is the
 * same list for readers). Only build-time code links it: the filter generator
 * (vmm/tools/gen_seccomp_filters.c) and the unit test that checks the generated programs
 * against it; minivmm itself loads the programs made from it (sandbox_filter.h).
 */
#ifndef MINIVMM_SANDBOX_POLICY_H
#define MINIVMM_SANDBOX_POLICY_H

#include <linux/filter.h>
#include <stddef.h>

#include "host/sandbox_shape.h"

/* The whole policy for shape, compiled by libseccomp into a classic BPF program for this
 * architecture: default action SCMP_ACT_TRAP, syscalls in a binary tree (SCMP_FLTATR_CTL_OPTIMIZE
 * 2). Returns 0 with *insns (free() it) and *len set, or a negative errno. */
int sandbox_policy_compile(const struct sandbox_shape *shape, struct sock_filter **insns,
			   size_t *len);

/* The libseccomp that compiles, e.g. "libseccomp 2.5.4". */
const char *sandbox_policy_compiler(char *buf, size_t size);

#endif
