/*
 * The vCPU side of tracing: the three timestamps of each exit record and the in-kernel exit
 * count, taken on the exit path itself. Everything here is inline and allocation-free; the only
 * syscall is the optional one pread of KVM's "exits" counter.
 */
#ifndef MINIVMM_TRACE_VCPU_TRACE_H
#define MINIVMM_TRACE_VCPU_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "trace/kvm_stats.h"
#include "trace/trace_ring.h"

struct vcpu_trace {
	struct trace_ring ring;
	struct kvm_stats stats; /* this vCPU's KVM statistics (fd -1 if the kernel has none) */
	int exits_counter;	/* index of "exits" in stats, or -1 */
	bool count_in_kernel;	/* read "exits" after every KVM_RUN (per-record counts) */
	uint64_t last_exits;
	uint64_t t0_ns; /* CLOCK_MONOTONIC of the session start */
	uint64_t next_seq;
	uint16_t vcpu;
};

static inline uint64_t trace_clock_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Before KVM_RUN: claims a record and stamps t_run. */
static inline struct exit_record *vcpu_trace_begin(struct vcpu_trace *t)
{
	struct exit_record *rec = trace_ring_claim(&t->ring);
	*rec = (struct exit_record){.seq = t->next_seq++, .vcpu = t->vcpu, .count = 1};
	rec->t_run = trace_clock_ns() - t->t0_ns;
	return rec;
}

/* Right after KVM_RUN returned: stamps t_exit. */
static inline void vcpu_trace_exited(struct vcpu_trace *t, struct exit_record *rec)
{
	rec->t_exit = trace_clock_ns() - t->t0_ns;
}

/* After the exit was handled: stamps t_done, counts the exits KVM kept to itself during this
 * KVM_RUN (read after t_done, so the pread does not count as device handling), and hands the
 * record to the trace thread. */
static inline void vcpu_trace_commit(struct vcpu_trace *t, struct exit_record *rec)
{
	rec->t_done = trace_clock_ns() - t->t0_ns;
	uint64_t exits;
	if (t->count_in_kernel && kvm_stats_read(&t->stats, t->exits_counter, &exits) == 0) {
		uint64_t delta = exits - t->last_exits;
		t->last_exits = exits;
		/* "exits" counts every VM exit, the one that reached us included. */
		rec->in_kernel_exits = delta > 0 ? (uint32_t)(delta - 1) : 0;
	} else {
		rec->flags |= EXIT_RECORD_IN_KERNEL_UNKNOWN;
	}
	trace_ring_publish(&t->ring);
}

#endif
