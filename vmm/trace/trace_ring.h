/* SPDX-License-Identifier: MIT */
/*
 * A single-producer, single-consumer ring of exit records. The producer is a vCPU thread on its
 * exit path: taking a slot and publishing it are a few loads and stores, no lock, no syscall.
 * The consumer is the trace thread. When the ring is full the producer waits for the consumer
 * (nothing is ever dropped) and counts how often that happened.
 */
#ifndef MINIVMM_TRACE_RING_H
#define MINIVMM_TRACE_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/exit_record.h"

#define TRACE_RING_DEFAULT_SLOTS 16384 /* 16384 * 80 B = 1.25 MiB per vCPU */

/* head and tail live on cache lines of their own: the producer stores head at every exit and
 * the consumer stores tail once per batch, and neither store should take the other's line (or
 * the read-only slots and mask) away from the other CPU. */
struct trace_ring {
	struct exit_record *slots;
	uint64_t mask;			    /* capacity - 1; capacity is a power of two */
	_Alignas(64) _Atomic uint64_t head; /* next slot the producer fills */
	uint64_t producer_waits;	    /* times the producer found the ring full */
	uint64_t tail_seen; /* producer's last look at tail: re-read only when full */
	_Alignas(64) _Atomic uint64_t tail; /* next slot the consumer reads */
};

/* capacity is rounded up to a power of two. Returns 0 or -ENOMEM. */
int trace_ring_init(struct trace_ring *ring, size_t capacity);
void trace_ring_destroy(struct trace_ring *ring);

/* Producer: the slot to fill next, waiting while the ring is full. */
struct exit_record *trace_ring_claim(struct trace_ring *ring);

/* Producer: makes the claimed slot visible to the consumer. */
static inline void trace_ring_publish(struct trace_ring *ring)
{
	uint64_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
	atomic_store_explicit(&ring->head, head + 1, memory_order_release);
}

/* Consumer: the oldest unread record, or NULL if none. */
static inline const struct exit_record *trace_ring_peek(struct trace_ring *ring)
{
	uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
	if (tail == atomic_load_explicit(&ring->head, memory_order_acquire))
		return NULL;
	return &ring->slots[tail & ring->mask];
}

/* Consumer: releases the record returned by trace_ring_peek. */
static inline void trace_ring_pop(struct trace_ring *ring)
{
	uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
	atomic_store_explicit(&ring->tail, tail + 1, memory_order_release);
}

/* Consumer, in batches: how many records are ready (one look at head), the i-th of them, and
 * the release of the first n with a single store. */
static inline uint64_t trace_ring_ready(struct trace_ring *ring)
{
	return atomic_load_explicit(&ring->head, memory_order_acquire) -
	       atomic_load_explicit(&ring->tail, memory_order_relaxed);
}

static inline const struct exit_record *trace_ring_at(struct trace_ring *ring, uint64_t i)
{
	uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
	return &ring->slots[(tail + i) & ring->mask];
}

static inline void trace_ring_release(struct trace_ring *ring, uint64_t n)
{
	uint64_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
	atomic_store_explicit(&ring->tail, tail + n, memory_order_release);
}

#endif
