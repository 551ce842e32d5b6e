/* SPDX-License-Identifier: MIT */
/*
 * What every loader (elf.c, elf_header.c, flat.c, multiboot*.c) says the same way when it refuses
 * an image: one status and errno for a malformed image, sizes in MiB as -m takes them, and the
 * smallest -m that would hold what did not fit.
 */
#ifndef MINIVMM_LOAD_REFUSAL_H
#define MINIVMM_LOAD_REFUSAL_H

#include <errno.h>
#include <stdint.h>

#include "minivmm/boot_abi.h"
#include "util/vmm_error.h"

#define MIB (1ull << 20)

/* Every malformed-image error has the same status and errno; only the message differs. */
#define REFUSE_IMAGE(err, ...) vmm_error_set((err), -ENOEXEC, VMM_EXIT_GUEST_IMAGE, __VA_ARGS__)

/* A uint64_t for printf's %llx and %llu. */
static inline unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* The whole -m, in MiB, that holds guest-physical [0, end): rounded up, at least the minimum. */
static inline uint64_t ram_mib_to_hold(uint64_t end)
{
	uint64_t mib = end / MIB + (end % MIB != 0);
	return mib < MINIVMM_RAM_MIN / MIB ? MINIVMM_RAM_MIN / MIB : mib;
}

#endif
