/* SPDX-License-Identifier: MIT */
#include "trace/trace_ring.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

int trace_ring_init(struct trace_ring *ring, size_t capacity)
{
	size_t slots = 1;
	while (slots < capacity)
		slots <<= 1;
	memset(ring, 0, sizeof *ring);
	ring->slots = calloc(slots, sizeof *ring->slots);
	if (!ring->slots)
		return -ENOMEM;
	ring->mask = slots - 1;
	atomic_init(&ring->head, 0);
	atomic_init(&ring->tail, 0);
	return 0;
}

void trace_ring_destroy(struct trace_ring *ring)
{
	free(ring->slots);
	ring->slots = NULL;
}

struct exit_record *trace_ring_claim(struct trace_ring *ring)
{
	uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
	/* The consumer's tail only moves forward: while the last value seen leaves room, the
	 * producer need not read the consumer's cache line at all. */
	if (head - ring->tail_seen <= ring->mask)
		return &ring->slots[head & ring->mask];
	ring->tail_seen = atomic_load_explicit(&ring->tail, memory_order_acquire);
	if (head - ring->tail_seen > ring->mask) {
		/* Full: the trace thread is behind. Wait rather than lose a record; this is the
		 * only path where the producer makes a syscall. */
		ring->producer_waits++;
		while (head - (ring->tail_seen =
				   atomic_load_explicit(&ring->tail, memory_order_acquire)) >
		       ring->mask)
			sched_yield();
	}
	return &ring->slots[head & ring->mask];
}
