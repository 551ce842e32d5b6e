/* SPDX-License-Identifier: MIT */
/*
 * A trace session's life (trace_session.h): its per-vCPU rings and KVM stats, the outputs, the
 * trace thread that drains the rings into them, and the end of the run that closes them.
 * trace_session_summary.c reads the result out.
 */
#include "trace/trace_session.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/monotonic_wait.h"
#include "trace/exit_stats.h"
#include "trace/timeline_svg.h"
#include "trace/trace_filter.h"
#include "trace/trace_json.h"
#include "trace/trace_session_internal.h"
#include "trace/trace_text.h"

static void finish_record(struct trace_session *s, const struct exit_record *rec,
			  uint64_t next_t_run)
{
	exit_stats_add(&s->stats, rec, next_t_run);
	if (s->json)
		trace_json_add(s->json, rec, next_t_run);
	if (s->timeline && s->timeline_count < s->opts.timeline_exits)
		s->timeline[s->timeline_count++] = *rec;
}

static void consume_record(struct trace_session *s, const struct exit_record *rec)
{
	s->records++;
	bool shown = s->text_out && trace_filter_match(&s->filter, rec);
	if (shown || s->live_text) {
		char line[256];
		format_exit_line(line, sizeof line, rec);
		if (shown) {
			fputs(line, s->text_out);
			fputc('\n', s->text_out);
		}
		if (s->live_text) {
			fputs(line, s->live_text);
			fputc('\n', s->live_text);
		}
	}
	unsigned v = rec->vcpu < s->vcpu_count ? rec->vcpu : 0;
	if (s->has_pending[v])
		finish_record(s, &s->pending[v], rec->t_run);
	s->pending[v] = *rec;
	s->has_pending[v] = true;
}

/* Takes every record published so far, a batch per vCPU: one look at its head, one store of
 * its tail. Returns the largest batch. */
static size_t drain_rings(struct trace_session *s)
{
	size_t most = 0;
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->vcpu_count; i++) {
		struct trace_ring *ring = &s->vcpus[i].ring;
		uint64_t ready = trace_ring_ready(ring);
		for (uint64_t k = 0; k < ready; k++)
			consume_record(s, trace_ring_at(ring, k));
		if (ready)
			trace_ring_release(ring, ready);
		most = ready > most ? (size_t)ready : most;
	}
	pthread_mutex_unlock(&s->lock);
	return most;
}

/* How long the trace thread naps between drains. Each wake-up may take the CPU from a vCPU
 * thread (on a two-CPU host, usually does), and a vCPU scheduled out and back in pays for
 * KVM's vcpu_put/vcpu_load, which is costly under nested KVM: measured, a fixed 1 ms nap
 * preempted the vCPU about 900 times a second and cost more per exit than everything the exit
 * path does itself. So the nap grows while the batches are small, up to TRACE_NAP_MAX_NS,
 * and shrinks when a batch fills an eighth of the ring (the vCPU waits only if it fills). */
#define TRACE_NAP_MIN_NS 1000000u
#define TRACE_NAP_MAX_NS 10000000u

static uint64_t next_nap(const struct trace_session *s, uint64_t nap, size_t batch)
{
	uint64_t slots = s->vcpu_count ? s->vcpus[0].ring.mask + 1 : TRACE_RING_DEFAULT_SLOTS;
	if (batch > slots / 8)
		return nap / 2 > TRACE_NAP_MIN_NS ? nap / 2 : TRACE_NAP_MIN_NS;
	return nap * 2 < TRACE_NAP_MAX_NS ? nap * 2 : TRACE_NAP_MAX_NS;
}

static void *trace_thread_main(void *arg)
{
	struct trace_session *s = arg;
	uint64_t nap = TRACE_NAP_MIN_NS;
	for (;;) {
		bool stopping = atomic_load(&s->stopping);
		size_t batch = drain_rings(s);
		if (stopping)
			break;
		if (batch == 0) { /* idle: let a watching user see the lines */
			if (s->text_out)
				fflush(s->text_out);
			pthread_mutex_lock(&s->lock);
			if (s->live_text)
				fflush(s->live_text);
			pthread_mutex_unlock(&s->lock);
		}
		nap = next_nap(s, nap, batch);
		/* A condition rather than nanosleep: trace_session_finish() cuts the nap short. */
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)nap;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&s->nap_lock);
		if (!atomic_load(&s->stopping))
			pthread_cond_timedwait(&s->nap_done, &s->nap_lock, &until);
		pthread_mutex_unlock(&s->nap_lock);
	}
	drain_rings(s); /* what came after the last look */
	return NULL;
}

static int open_text_output(struct trace_session *s, struct vmm_error *err)
{
	if (!s->opts.text)
		return 0;
	if (s->opts.text_path) {
		s->text_out = fopen(s->opts.text_path, "w");
	} else {
		int fd = dup(STDERR_FILENO);
		s->text_out = fd >= 0 ? fdopen(fd, "w") : NULL;
	}
	if (!s->text_out)
		return vmm_error_set(
		    err, -errno, VMM_EXIT_USAGE, "cannot write trace file '%s': %s",
		    s->opts.text_path ? s->opts.text_path : "stderr", strerror(errno));
	s->text_out_owned = true;
	setvbuf(s->text_out, NULL, _IOFBF, 1 << 16);
	return 0;
}

static void snapshot_counters(struct trace_session *s, unsigned i)
{
	const struct kvm_stats *st = &s->vcpus[i].stats;
	if (st->fd < 0 || !(s->snapshots[i].start = calloc(st->count, sizeof(uint64_t))))
		return;
	for (size_t c = 0; c < st->count; c++)
		kvm_stats_read(st, (int)c, &s->snapshots[i].start[c]);
}

static int setup_vcpu(struct trace_session *s, unsigned i, int vcpu_fd, struct vmm_error *err)
{
	struct vcpu_trace *t = &s->vcpus[i];
	t->vcpu = (uint16_t)i;
	t->exits_counter = -1;
	if (trace_ring_init(&t->ring,
			    s->opts.ring_slots ? s->opts.ring_slots : TRACE_RING_DEFAULT_SLOTS))
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "out of memory for the trace ring");
	if (kvm_stats_open(&t->stats, vcpu_fd) == 0)
		t->exits_counter = kvm_stats_find(&t->stats, "exits");
	/* Per-record in-kernel counts cost one pread per exit: only for outputs that show them. */
	t->count_in_kernel =
	    t->exits_counter >= 0 && (s->opts.text || s->opts.json_path || s->opts.timeline_path);
	t->read_interval_ns = s->opts.in_kernel_every ? 0 : TRACE_IN_KERNEL_READ_INTERVAL_NS;
	return 0;
}

int trace_session_create(struct trace_session **out, const struct trace_options *opts,
			 const int *vcpu_fds, unsigned vcpu_count, struct vmm_error *err)
{
	/* Aligned as its rings' head and tail want (trace_ring.h); calloc gives only 16 bytes. */
	size_t size = (sizeof(struct trace_session) + 63) & ~(size_t)63;
	struct trace_session *s = aligned_alloc(64, size);
	if (!s)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	memset(s, 0, size);
	*out = s;
	s->opts = *opts;
	if (!s->opts.timeline_exits)
		s->opts.timeline_exits = TIMELINE_DEFAULT_EXITS;
	s->vcpu_count = vcpu_count < TRACE_MAX_VCPUS ? vcpu_count : TRACE_MAX_VCPUS;
	atomic_init(&s->stopping, false);
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->nap_lock, NULL);
	monotonic_cond_init(&s->nap_done);
	exit_stats_init(&s->stats);
	int ret = trace_filter_parse(&s->filter, opts->filter, err);
	for (unsigned i = 0; !ret && i < s->vcpu_count; i++)
		ret = setup_vcpu(s, i, vcpu_fds[i], err);
	ret = ret ?: open_text_output(s, err);
	if (!ret && opts->json_path)
		ret = trace_json_open(&s->json, opts->json_path, err);
	if (!ret && opts->timeline_path &&
	    !(s->timeline = calloc(s->opts.timeline_exits, sizeof *s->timeline)))
		ret = vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	if (!ret && opts->timeline_path &&
	    !(s->timeline_out = timeline_svg_open(opts->timeline_path, err)))
		ret = -errno;
	return ret;
}

struct vcpu_trace *trace_session_vcpu(struct trace_session *session, unsigned index)
{
	return index < session->vcpu_count ? &session->vcpus[index] : NULL;
}

int trace_session_start(struct trace_session *s, struct vmm_error *err)
{
	uint64_t t0 = monotonic_ns();
	for (unsigned i = 0; i < s->vcpu_count; i++) {
		struct vcpu_trace *t = &s->vcpus[i];
		t->t0_ns = t0;
		snapshot_counters(s, i);
		if (t->exits_counter >= 0)
			kvm_stats_read(&t->stats, t->exits_counter, &t->last_exits);
	}
	int r = pthread_create(&s->thread, NULL, trace_thread_main, s);
	if (r)
		return vmm_error_set(err, -r, VMM_EXIT_HOST_RESOURCES,
				     "cannot start the trace thread: %s", strerror(r));
	s->thread_running = true;
	s->started = true;
	return 0;
}

int trace_session_finish(struct trace_session *s, struct vmm_error *err)
{
	if (s->finished)
		return 0;
	s->finished = true;
	if (s->thread_running) {
		pthread_mutex_lock(&s->nap_lock);
		atomic_store(&s->stopping, true);
		pthread_cond_signal(&s->nap_done);
		pthread_mutex_unlock(&s->nap_lock);
		pthread_join(s->thread, NULL);
		s->thread_running = false;
	}
	drain_rings(s);
	pthread_mutex_lock(&s->lock); /* the control socket may be reading the summary */
	for (unsigned v = 0; v < s->vcpu_count; v++)
		if (s->has_pending[v]) {
			finish_record(s, &s->pending[v], s->pending[v].t_done);
			s->has_pending[v] = false;
		}
	pthread_mutex_unlock(&s->lock);
	int ret = 0;
	if (s->text_out_owned) {
		if (fclose(s->text_out) != 0 && !ret)
			ret = vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
					    "writing the trace failed: %s", strerror(errno));
		s->text_out = NULL;
		s->text_out_owned = false;
	}
	if (s->json) {
		int r = trace_json_close(s->json, ret ? NULL : err);
		s->json = NULL;
		ret = ret ?: r;
	}
	if (s->timeline_out && s->started) {
		int r = timeline_svg_write_file(s->timeline_out, s->opts.timeline_path, s->timeline,
						s->timeline_count, ret ? NULL : err);
		ret = ret ?: r;
	} else if (s->timeline_out) {
		fclose(s->timeline_out);
	}
	s->timeline_out = NULL;
	return ret;
}

void trace_session_destroy(struct trace_session *s)
{
	if (!s)
		return;
	struct vmm_error ignored;
	trace_session_finish(s, &ignored);
	for (unsigned i = 0; i < s->vcpu_count; i++) {
		trace_ring_destroy(&s->vcpus[i].ring);
		kvm_stats_close(&s->vcpus[i].stats);
		free(s->snapshots[i].start);
	}
	free(s->timeline);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->nap_lock);
	pthread_cond_destroy(&s->nap_done);
	free(s);
}

FILE *trace_session_swap_live_text(struct trace_session *s, FILE *to)
{
	pthread_mutex_lock(&s->lock);
	FILE *old = s->live_text;
	s->live_text = to;
	pthread_mutex_unlock(&s->lock);
	return old;
}
