/* SPDX-License-Identifier: MIT */
/*
 * Reading a trace session out: the --stats report once the run is over, the running summary the
 * control socket asks for while it goes on (taken under the session's lock, which the trace thread
 * holds while it adds to it), and how much KVM's own counters grew since trace_session_start().
 * Apart from trace_session.c, which fills the session on its trace thread, because all of this
 * only reads, on the caller's thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "trace/exit_stats.h"
#include "trace/kvm_stats.h"
#include "trace/trace_session_internal.h"

static void print_in_kernel_counters(struct trace_session *s, FILE *out)
{
	for (unsigned i = 0; i < s->vcpu_count; i++) {
		const struct kvm_stats *st = &s->vcpus[i].stats;
		if (st->fd < 0 || !s->snapshots[i].start) {
			fprintf(out,
				"vCPU %u: this kernel has no KVM binary stats "
				"(KVM_GET_STATS_FD): in-kernel exits cannot be counted\n",
				i);
			continue;
		}
		fprintf(out,
			"vCPU %u, KVM's own counters during the run (binary stats fd; most are "
			"handled in the kernel, never seen by minivmm):\n ",
			i);
		int column = 1;
		for (size_t c = 0; c < st->count; c++) {
			uint64_t now;
			if (!kvm_stats_is_event_count(&st->counters[c]) ||
			    kvm_stats_read(st, (int)c, &now) || now == s->snapshots[i].start[c])
				continue;
			column += fprintf(out, " %s=%llu", st->counters[c].name,
					  (unsigned long long)(now - s->snapshots[i].start[c]));
			if (column > 90) {
				fputs("\n ", out);
				column = 1;
			}
		}
		fputc('\n', out);
	}
}

void trace_session_print_stats(struct trace_session *s, FILE *out)
{
	exit_stats_print(out, &s->stats);
	print_in_kernel_counters(s, out);
	uint64_t waits = 0;
	for (unsigned i = 0; i < s->vcpu_count; i++)
		waits += s->vcpus[i].ring.producer_waits;
	fprintf(out, "trace records: %llu, dropped: 0, vCPU waited for a full ring %llu time(s)\n",
		(unsigned long long)s->records, (unsigned long long)waits);
}

uint64_t trace_session_record_count(const struct trace_session *s)
{
	return s->records;
}

const struct exit_stats *trace_session_stats(const struct trace_session *s)
{
	return &s->stats;
}

int trace_session_counter_delta(const struct trace_session *s, unsigned vcpu, const char *name,
				uint64_t *delta)
{
	if (vcpu >= s->vcpu_count || !s->snapshots[vcpu].start)
		return -ENOENT;
	const struct kvm_stats *st = &s->vcpus[vcpu].stats;
	int index = kvm_stats_find(st, name);
	uint64_t now;
	if (index < 0 || kvm_stats_read(st, index, &now))
		return -ENOENT;
	*delta = now - s->snapshots[vcpu].start[index];
	return 0;
}

void trace_session_snapshot(struct trace_session *s, struct exit_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	for (unsigned v = 0; v < s->vcpu_count; v++)
		if (s->has_pending[v])
			exit_stats_add(out, &s->pending[v], s->pending[v].t_done);
	pthread_mutex_unlock(&s->lock);
}

void trace_session_print_live_stats(struct trace_session *s, FILE *out)
{
	struct exit_stats *now = malloc(sizeof *now);
	if (!now)
		return;
	trace_session_snapshot(s, now);
	exit_stats_print(out, now);
	free(now);
	print_in_kernel_counters(s, out);
}
