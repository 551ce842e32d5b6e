/* SPDX-License-Identifier: MIT */
/*
 * The vCPU side of tracing: the three timestamps of each exit record and the in-kernel exit
 * count, taken on the exit path itself. Everything here is inline and allocation-free; the only
 * syscall is the optional pread of KVM's "exits" counter.
 *
 * That pread costs 0.2-0.5 us, as much as 5 % of a whole exit round trip here, so by default
 * it is sampled: read at most once per TRACE_IN_KERNEL_READ_INTERVAL_NS, and the exits KVM handled
 * since the previous read are credited to the record that reads them, over a span of records
 * (the ones in between say EXIT_RECORD_IN_KERNEL_LATER). The totals stay exact; only which of
 * a burst of fast exits an in-kernel exit belongs to is lost. --in-kernel-exits=every reads
 * after each exit (span 1 always).
 */
#ifndef MINIVMM_TRACE_VCPU_TRACE_H
#define MINIVMM_TRACE_VCPU_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "trace/kvm_stats.h"
#include "trace/trace_ring.h"
#include "util/monotonic_clock.h"

#define TRACE_IN_KERNEL_READ_INTERVAL_NS 50000u /* sampled: ~1 % of the time at 0.5 us a read */

struct vcpu_trace {
	struct trace_ring ring;
	struct kvm_stats stats;	   /* this vCPU's KVM statistics (fd -1 if the kernel has none) */
	int exits_counter;	   /* index of "exits" in stats, or -1 */
	bool count_in_kernel;	   /* read "exits" for per-record counts */
	uint64_t read_interval_ns; /* 0: after every KVM_RUN, else at most once per interval */
	uint64_t last_exits;	   /* "exits" at the last read */
	uint64_t last_read_ns;	   /* t_done of the record that read it */
	uint32_t unread_records;   /* records since that read, the current one included */
	uint64_t t0_ns;		   /* CLOCK_MONOTONIC of the session start */
	uint64_t next_seq;
	uint16_t vcpu;
};

/* Before KVM_RUN: claims a record and stamps t_run. */
static inline struct exit_record *vcpu_trace_begin(struct vcpu_trace *t)
{
	struct exit_record *rec = trace_ring_claim(&t->ring);
	*rec = (struct exit_record){.seq = t->next_seq++, .vcpu = t->vcpu, .count = 1};
	rec->t_run = monotonic_ns() - t->t0_ns;
	return rec;
}

/* Right after KVM_RUN returned: stamps t_exit. */
static inline void vcpu_trace_exited(struct vcpu_trace *t, struct exit_record *rec)
{
	rec->t_exit = monotonic_ns() - t->t0_ns;
}

/* After the exit was handled: stamps t_done, counts the exits KVM kept to itself (read after
 * t_done, so the pread does not count as device handling), and hands the record to the trace
 * thread. `last` is the vCPU's final record: it always reads, so no exit is left uncounted. */
static inline void vcpu_trace_commit(struct vcpu_trace *t, struct exit_record *rec, bool last)
{
	rec->t_done = monotonic_ns() - t->t0_ns;
	if (!t->count_in_kernel) {
		rec->flags |= EXIT_RECORD_IN_KERNEL_UNKNOWN;
		trace_ring_publish(&t->ring);
		return;
	}
	uint64_t exits;
	bool read_due = last || rec->t_done - t->last_read_ns >= t->read_interval_ns;
	t->unread_records++;
	if (!read_due) {
		rec->flags |= EXIT_RECORD_IN_KERNEL_LATER;
	} else if (kvm_stats_read(&t->stats, t->exits_counter, &exits) == 0) {
		/* "exits" counts every VM exit, the ones that reached us included. */
		uint64_t in_kernel = exits - t->last_exits;
		in_kernel = in_kernel > t->unread_records ? in_kernel - t->unread_records : 0;
		rec->in_kernel_exits = in_kernel > UINT32_MAX ? UINT32_MAX : (uint32_t)in_kernel;
		rec->in_kernel_span = t->unread_records;
		t->last_exits = exits;
		t->last_read_ns = rec->t_done;
		t->unread_records = 0;
	} else {
		rec->flags |= EXIT_RECORD_IN_KERNEL_UNKNOWN;
	}
	trace_ring_publish(&t->ring);
}

#endif
