/* SPDX-License-Identifier: MIT */
/*
 * What the sandbox's filter depends on (docs/security.md): which options are on, how many vCPUs
 * there are, and the numbers of the descriptors whose ioctl or accept4 calls it allows. The
 * policy (sandbox_policy.c) turns a shape into a libseccomp filter at build time; the run time
 * (sandbox_filter.c) picks the program made for the same options and vCPU count and writes the
 * descriptor numbers into it.
 */
#ifndef MINIVMM_SANDBOX_SHAPE_H
#define MINIVMM_SANDBOX_SHAPE_H

#include <stdbool.h>

#define SANDBOX_MAX_VCPUS 8

/* The descriptors the filter names, in the order `minivmm run` opens them (the control socket
 * before the VM, the VM before its vCPUs), which is also the order of their comparisons. */
enum sandbox_fd_role {
	SANDBOX_FD_CONTROL_SOCKET,
	SANDBOX_FD_VM,
	SANDBOX_FD_VCPU0,
	SANDBOX_FD_ROLES = SANDBOX_FD_VCPU0 + SANDBOX_MAX_VCPUS,
};

/* The options that change the policy, one bit each. */
enum sandbox_option {
	SANDBOX_REBOOT = 1 << 0,	 /* --reboot */
	SANDBOX_GDB = 1 << 1,		 /* --gdb */
	SANDBOX_SNAPSHOT = 1 << 2,	 /* the run can be snapshotted (vm->snapshot) */
	SANDBOX_SNAPSHOT_KEY = 1 << 3,	 /* ... and Ctrl-A s saves one (vm->console.snapshot) */
	SANDBOX_CONTROL_SOCKET = 1 << 4, /* --api-sock */
	SANDBOX_OPTION_SETS = 1 << 5,
};

struct sandbox_shape {
	unsigned options;	   /* enum sandbox_option bits */
	unsigned vcpu_count;	   /* 1..SANDBOX_MAX_VCPUS */
	int fds[SANDBOX_FD_ROLES]; /* by enum sandbox_fd_role; -1 where there is none */
};

/* One program per option set and vCPU count. */
#define SANDBOX_VARIANTS (SANDBOX_OPTION_SETS * SANDBOX_MAX_VCPUS)

/* The shape's program, or -1 if no program fits it (no vCPU, too many, unknown options). */
static inline int sandbox_variant(const struct sandbox_shape *shape)
{
	if (shape->vcpu_count < 1 || shape->vcpu_count > SANDBOX_MAX_VCPUS ||
	    shape->options >= SANDBOX_OPTION_SETS)
		return -1;
	return (int)((shape->vcpu_count - 1) * SANDBOX_OPTION_SETS + shape->options);
}

/* The shape of variant (0..SANDBOX_VARIANTS-1) with made-up descriptors, for the generator and
 * the tests: role r gets first_fd + step * r, and -1 where the variant has no such descriptor. */
static inline struct sandbox_shape sandbox_shape_made_up(int variant, int first_fd, int step)
{
	struct sandbox_shape s = {.options = (unsigned)variant % SANDBOX_OPTION_SETS,
				  .vcpu_count = (unsigned)variant / SANDBOX_OPTION_SETS + 1};
	for (unsigned role = 0; role < SANDBOX_FD_ROLES; role++)
		s.fds[role] =
		    role < SANDBOX_FD_VCPU0 + s.vcpu_count ? first_fd + step * (int)role : -1;
	if (!(s.options & SANDBOX_CONTROL_SOCKET))
		s.fds[SANDBOX_FD_CONTROL_SOCKET] = -1;
	return s;
}

#endif
