/* SPDX-License-Identifier: MIT */
/* `minivmm bench`'s restore figure: restore to the first guest instruction vs boot to it. */
#ifndef MINIVMM_BENCH_RESTORE_TIME_H
#define MINIVMM_BENCH_RESTORE_TIME_H

#include "util/vmm_error.h"

/* One measurement of each, interleaved: *boot_ns from nothing to the first exit of a freshly
 * booted 64 MiB VM, *restore_ns from opening a snapshot of the same VM to its first exit. */
int bench_restore(const char *kvm_device, double *boot_ns, double *restore_ns,
		  struct vmm_error *err);

#endif
