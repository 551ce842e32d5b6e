/* SPDX-License-Identifier: MIT */
/*
 * The build-time programs (sandbox_filter.h) and their descriptor numbers. The generator has
 * checked that each stand-in is only ever the constant of a `jeq` on the low word of argument 0
 * (a descriptor argument's only test), so writing the real number there gives the program
 * libseccomp would have compiled for the real descriptors (tests/unit/test_sandbox_filter.c
 * compares both, instruction by instruction and decision by decision).
 */
#include "host/sandbox_filter.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* One stand-in to replace: the instruction, and whose descriptor goes there. */
struct sandbox_fd_patch {
	uint16_t insn;
	uint8_t role; /* enum sandbox_fd_role */
};

/* One program: its instructions and its patches, as ranges of the tables below. */
struct sandbox_filter_program {
	uint32_t insn, len;
	uint32_t patch, patches;
};

#include "seccomp_filters.h" /* generated: sandbox_filter_insns, _patches, _programs */

size_t sandbox_filter_max_len(void)
{
	return SANDBOX_FILTER_MAX_LEN;
}

int sandbox_filter_for(const struct sandbox_shape *shape, struct sock_filter *insns, size_t *len)
{
	int variant = sandbox_variant(shape);
	if (variant < 0)
		return -EINVAL;
	const struct sandbox_filter_program *p = &sandbox_filter_programs[variant];
	memcpy(insns, &sandbox_filter_insns[p->insn], p->len * sizeof *insns);
	for (uint32_t i = 0; i < p->patches; i++) {
		const struct sandbox_fd_patch *patch = &sandbox_filter_patches[p->patch + i];
		int fd = shape->fds[patch->role];
		if (fd < 0)
			return -EINVAL;
		insns[patch->insn].k = (uint32_t)fd;
	}
	*len = p->len;
	return 0;
}

const char *sandbox_filter_compiler(void)
{
	return SANDBOX_FILTER_COMPILER;
}
