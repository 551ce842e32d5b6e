/* SPDX-License-Identifier: MIT */
/* Shared by the fuzz targets: how a target reports a broken invariant. */
#ifndef MINIVMM_FUZZ_COMMON_H
#define MINIVMM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant that must hold for every input. abort() is what libFuzzer and the replay test
 * both report as a crash, with this line above the stack trace. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", __FILE__, __LINE__,  \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
