/* SPDX-License-Identifier: MIT */
/*
 * The sandbox's BPF programs, compiled at build time (vmm/tools/gen_seccomp_filters.c, from
 * sandbox_policy.c): one per option set and vCPU count, with stand-ins where the descriptor
 * numbers go. A start only copies the program its shape needs and writes its descriptors in.
 */
#ifndef MINIVMM_SANDBOX_FILTER_H
#define MINIVMM_SANDBOX_FILTER_H

#include <linux/filter.h>
#include <stddef.h>

#include "host/sandbox_shape.h"

/* The longest program: room that sandbox_filter_for() may fill. */
size_t sandbox_filter_max_len(void);

/* Writes shape's program into insns (room for sandbox_filter_max_len() instructions) and its
 * length into *len. Returns 0, or -EINVAL if no program fits the shape or a descriptor the
 * program tests is missing (-1). */
int sandbox_filter_for(const struct sandbox_shape *shape, struct sock_filter *insns, size_t *len);

/* What compiled the programs, e.g. "libseccomp 2.5.4" (`minivmm info`). */
const char *sandbox_filter_compiler(void);

#endif
