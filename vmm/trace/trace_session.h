/* SPDX-License-Identifier: MIT */
/*
 * A VM's tracing: one ring per vCPU filled on the exit path, and one trace thread that drains
 * them into the outputs the user asked for (text lines, Chrome trace JSON, an SVG timeline, the
 * perf-kvm-stat-style summary). Formatting and file I/O happen only on that thread.
 */
#ifndef MINIVMM_TRACE_SESSION_H
#define MINIVMM_TRACE_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "trace/vcpu_trace.h"
#include "util/vmm_error.h"

struct trace_options {
	bool text;		   /* --trace[=FILE] */
	const char *text_path;	   /* NULL: stderr */
	const char *filter;	   /* --trace-filter */
	const char *json_path;	   /* --trace-json */
	const char *timeline_path; /* --timeline */
	unsigned timeline_exits;   /* --timeline-exits, default TIMELINE_DEFAULT_EXITS */
	bool stats;		   /* --stats */
	bool in_kernel_every;	   /* --in-kernel-exits=every (vcpu_trace.h) */
	size_t ring_slots;	   /* 0: TRACE_RING_DEFAULT_SLOTS */
	/* --api-sock: keep the summary up to date for the control socket (snapshots, a trace
	 * started at run time), printing nothing of its own. */
	bool live;
};

static inline bool trace_options_any(const struct trace_options *o)
{
	return o->text || o->json_path || o->timeline_path || o->stats || o->live;
}

struct trace_session;

/* Opens the outputs and the per-vCPU rings and KVM stats. vcpu_fds[i] is vCPU i's fd. */
int trace_session_create(struct trace_session **out, const struct trace_options *opts,
			 const int *vcpu_fds, unsigned vcpu_count, struct vmm_error *err);

struct vcpu_trace *trace_session_vcpu(struct trace_session *session, unsigned index);

/* Sets time zero and starts the trace thread. Call just before the vCPUs start. */
int trace_session_start(struct trace_session *session, struct vmm_error *err);

/* After the vCPUs stopped: drains the rings, closes the outputs (reporting a failed write). */
int trace_session_finish(struct trace_session *session, struct vmm_error *err);

/* The --stats summary, with the in-kernel counters from KVM's binary stats. */
void trace_session_print_stats(struct trace_session *session, FILE *out);

uint64_t trace_session_record_count(const struct trace_session *session);

struct exit_stats;
/* The summed-up records (complete after trace_session_finish). */
const struct exit_stats *trace_session_stats(const struct trace_session *session);

/* How much KVM's counter `name` of vCPU `vcpu` grew since trace_session_start. Returns 0, or
 * -ENOENT if this kernel has no such counter (or no stats at all). */
int trace_session_counter_delta(const struct trace_session *session, unsigned vcpu,
				const char *name, uint64_t *delta);

/* While the run goes on (any thread; the trace thread drains at most every few ms): the summary
 * so far, each vCPU's last record included. */
void trace_session_snapshot(struct trace_session *session, struct exit_stats *out);

/* The same as --stats prints it, so far. */
void trace_session_print_live_stats(struct trace_session *session, FILE *out);

/* A trace started at run time (the control socket's trace command): from now on every record
 * is also written as a --trace line to `to` (NULL ends it). Returns the previous stream, which
 * the trace thread no longer touches once this returns. */
FILE *trace_session_swap_live_text(struct trace_session *session, FILE *to);

void trace_session_destroy(struct trace_session *session);

#endif
