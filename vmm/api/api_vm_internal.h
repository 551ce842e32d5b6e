/* SPDX-License-Identifier: MIT */
/*
 * What api_vm.c (the backend's life and the commands that act on the VM) and api_vm_figures.c
 * (status and stats, which only read it) share: the clock uptime is counted on, and the two
 * answers api_vm_backend() hands to the request layer. Not for other files: they use api_vm.h.
 */
#ifndef MINIVMM_API_VM_INTERNAL_H
#define MINIVMM_API_VM_INTERNAL_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "api/api_vm.h"
#include "util/vmm_error.h"

/* CLOCK_MONOTONIC in ns: api_vm_init() starts the uptime on it, status reads it. */
static inline uint64_t api_vm_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The status and stats commands (docs/api.md); ctx is the struct api_vm. */
int api_vm_status(void *ctx, json_t *reply, struct vmm_error *err);
int api_vm_stats(void *ctx, json_t *reply, struct vmm_error *err);

#endif
