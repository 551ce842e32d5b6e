/* SPDX-License-Identifier: MIT */
/*
 * The seccomp allowlist of `minivmm run` as libseccomp rules (docs/security.md's table is the
 * same list for readers). Only build-time code links it: the filter generator
 * (vmm/tools/gen_seccomp_filters.c) and the unit test that checks the generated programs
 * against it; minivmm itself loads the programs made from it (sandbox_filter.h).
 */
#ifndef MINIVMM_SANDBOX_POLICY_H
#define MINIVMM_SANDBOX_POLICY_H

#include <seccomp.h>

#include "host/sandbox_shape.h"

/* A new filter holding the whole policy for shape: default action SCMP_ACT_TRAP, syscalls in a
 * binary tree (SCMP_FLTATR_CTL_OPTIMIZE 2). Returns 0 with *ctx set (seccomp_release() it), or a
 * negative errno. */
int sandbox_policy_filter(const struct sandbox_shape *shape, scmp_filter_ctx *ctx);

#endif
