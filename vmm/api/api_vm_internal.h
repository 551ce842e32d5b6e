/* SPDX-License-Identifier: MIT */
/*
 * What api_vm.c (the backend's life and the commands that act on the VM) and api_vm_figures.c
 * (status and stats, which only read it) share: the two answers api_vm_backend() hands to the
 * request layer. Not for other files: they use api_vm.h.
 */
#ifndef MINIVMM_API_VM_INTERNAL_H
#define MINIVMM_API_VM_INTERNAL_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "api/api_vm.h"
#include "util/vmm_error.h"

/* The status and stats commands (docs/api.md); ctx is the struct api_vm. */
int api_vm_status(void *ctx, json_t *reply, struct vmm_error *err);
int api_vm_stats(void *ctx, json_t *reply, struct vmm_error *err);

#endif
