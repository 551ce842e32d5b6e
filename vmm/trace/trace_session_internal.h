/* SPDX-License-Identifier: MIT */
/*
 * A trace session's state, shared by trace_session.c (its life, and the trace thread that fills
 * it) and trace_session_summary.c (what reads it out). The rest of minivmm knows a session only
 * through trace_session.h.
 */
#ifndef MINIVMM_TRACE_SESSION_INTERNAL_H
#define MINIVMM_TRACE_SESSION_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/exit_record.h"
#include "trace/exit_stats.h"
#include "trace/trace_filter.h"
#include "trace/trace_session.h"

#define TRACE_MAX_VCPUS 8

/* KVM's event counters of one vCPU at the start, to print what changed during the run. */
struct counter_snapshot {
	uint64_t *start;
};

struct trace_session {
	struct trace_options opts;
	struct vcpu_trace vcpus[TRACE_MAX_VCPUS];
	struct counter_snapshot snapshots[TRACE_MAX_VCPUS];
	unsigned vcpu_count;
	/* The record each vCPU produced last: it is finished (sent to the JSON and the stats)
	 * when the next one tells when the vCPU re-entered the guest. */
	struct exit_record pending[TRACE_MAX_VCPUS];
	bool has_pending[TRACE_MAX_VCPUS];

	pthread_t thread;
	bool thread_running;
	/* Taken by the trace thread around each drain, and by readers of the running summary. */
	pthread_mutex_t lock;
	FILE *live_text;	  /* a trace started at run time, or NULL */
	pthread_mutex_t nap_lock; /* the trace thread's nap, cut short at the end */
	pthread_cond_t nap_done;
	bool started, finished;
	atomic_bool stopping;

	FILE *text_out;
	bool text_out_owned;
	struct trace_filter filter;
	struct trace_json *json;
	struct exit_record *timeline;
	size_t timeline_count;
	FILE *timeline_out; /* created with the session: no file is opened during the run */
	struct exit_stats stats;
	uint64_t records;
};

#endif
