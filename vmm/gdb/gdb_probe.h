/* SPDX-License-Identifier: MIT */
/*
 * What KVM on this host gives a debugger (KVM_SET_GUEST_DEBUG, api.rst 4.59), found by running
 * a few instructions of 64-bit ring-0 code in a throw-away VM: single-step, an execution
 * breakpoint in a debug register, a write breakpoint, and int3. On VT-x/SVM each works as
 * designed ("native"); on hosts without them (kvm_pvm) guest ring-0 code is emulated by KVM, so
 * what works there works by emulation ("emulated"), and an int3 is an emulation failure with
 * RIP at the 0xCC, which minivmm takes as the breakpoint hit.
 */
#ifndef MINIVMM_GDB_PROBE_H
#define MINIVMM_GDB_PROBE_H

#include <stdbool.h>
#include <stdio.h>

#include "util/vmm_error.h"

enum gdb_support { GDB_MISSING, GDB_EMULATED, GDB_NATIVE };

struct gdb_host_debug {
	enum gdb_support single_step;
	enum gdb_support sw_breakpoint; /* EMULATED: int3 exits as KVM_EXIT_INTERNAL_ERROR */
	enum gdb_support hw_breakpoint; /* execution, through DR0-DR3 */
	enum gdb_support watchpoint;	/* data write, through DR0-DR3 */
	bool block_irq;			/* KVM_GUESTDBG_BLOCKIRQ: no interrupt enters a step */
	bool readonly_mem; /* KVM_CAP_READONLY_MEM: write watchpoints by read-only pages */
};

/* Runs the probe. Returns 0, or a negative errno with err filled if KVM could not be used. */
int gdb_probe_host(const char *kvm_device, struct gdb_host_debug *out, struct vmm_error *err);

const char *gdb_support_name(enum gdb_support s);

enum gdb_feature {
	GDB_FEATURE_SW_BREAKPOINT,
	GDB_FEATURE_SINGLE_STEP,
	GDB_FEATURE_HW_BREAKPOINT,
	GDB_FEATURE_WATCHPOINT,
};

/* What guest ring 3 gets, from the ring-0 probe: on VT-x/SVM the same as ring 0 (KVM
 * intercepts in every ring); where ring 0 is emulated and ring 3 runs natively, what the stub
 * builds from ring-0 int3 exits (gdb_ring3.c), and no debug registers. */
enum gdb_support gdb_ring3_support(const struct gdb_host_debug *d, enum gdb_feature f);

/* Write watchpoints in either ring: debug registers where they work natively, else read-only
 * pages ("emulated": each write to the page exits and minivmm completes it). */
enum gdb_support gdb_watch_support(const struct gdb_host_debug *d);

/* The lines of `minivmm info` about debugging, each feature native, emulated or missing. */
void gdb_probe_print(const struct gdb_host_debug *d, FILE *out);

#endif
