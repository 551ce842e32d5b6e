/* SPDX-License-Identifier: MIT */
/*
 * One frame of `minivmm top`: what changed between two samples (top_client.h) as rates and
 * shares of the interval, independent of how it is shown (top_screen.h prints it as text,
 * top_frame_print_json as one JSON object).
 */
#ifndef MINIVMM_TOP_FRAME_H
#define MINIVMM_TOP_FRAME_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/top_client.h"

#define TOP_MAX_ROWS  64
#define TOP_MAX_VCPUS 8

struct top_row {
	char key[64];
	double total, rate;
};

/* A vCPU's share of the interval, in % of wall time (docs/api.md, status's time_split_ns).
 * NAN where the VM could not tell (no KVM halt counter; no guest time accounted by the host). */
struct top_vcpu {
	double rate;	/* exits that reached minivmm, per second */
	double run_pct; /* inside KVM_RUN: guest_kvm_pct + halted_pct */
	double vmm_pct; /* in minivmm, handling exits */
	double guest_kvm_pct, halted_pct, guest_est_pct, kvm_est_pct;
	double cpu_pct; /* CPU time of its thread */
};

struct top_frame {
	double uptime, interval, exits_rate, in_kernel_rate;
	double records, in_kernel;
	const char *state; /* owned by the sample it came from */
	struct top_row reasons[TOP_MAX_ROWS], accesses[TOP_MAX_ROWS];
	unsigned reason_count, access_count;
	struct top_vcpu vcpus[TOP_MAX_VCPUS];
	unsigned vcpu_count;
	double guest_pct, kvm_pct, vmm_pct; /* of one CPU, from the process's accounting */
	bool have_cpu;
};

/* prev may have NULL members: the first frame's rates are over the whole uptime. */
void top_make_frame(const struct top_sample *prev, const struct top_sample *cur,
		    struct top_frame *f);

/* The frame as one line of JSON (docs/api.md, `top --json`). */
void top_frame_print_json(FILE *out, const struct top_frame *f, const char *last_event);

#endif
