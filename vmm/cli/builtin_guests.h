/* SPDX-License-Identifier: MIT */
/* The guests compiled into the minivmm binary (guest/ builds them; vmm/CMakeLists.txt embeds). */
#ifndef MINIVMM_BUILTIN_GUESTS_H
#define MINIVMM_BUILTIN_GUESTS_H

#include <stddef.h>

struct builtin_guest {
	const char *name;
	const unsigned char *image;
	size_t size;
};

/* NULL name: the default guest. Returns NULL if there is no such guest. */
const struct builtin_guest *builtin_guest_find(const char *name);

/* Iteration: index from 0 until NULL. */
const struct builtin_guest *builtin_guest_at(size_t index);

#endif
