/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue (VIRTIO 1.2 section 2.7; 1.1 section 2.6), device side, with every number
 * the guest wrote treated as hostile.
 *
 * Three areas live in guest RAM, placed by the driver: the descriptor table (16 bytes per entry:
 * le64 addr, le32 len, le16 flags, le16 next), the available ring (driver -> device: le16 flags,
 * le16 idx, le16 ring[num], le16 used_event) and the used ring (device -> driver: le16 flags, le16
 * idx, {le32 id, le32 len} ring[num], le16 avail_event). Indices run free and wrap at 2^16, so the
 * queue size must be a power of two (2.7: "Queue Size ... always a power of 2").
 *
 * What is checked, and where:
 * - virtq_enable() (QueueReady = 1): size a power of two in 1..num_max; each area aligned as 2.7
 *   requires (16, 2, 4) and wholly inside RAM (guest_mem_gpa_to_hva, overflow-safe).
 * - virtq_pop(): the available index may run at most `num` ahead of the device; the head and each
 *   `next` must be below `num`; a chain may not be longer than `num` (so a loop is caught); no
 *   INDIRECT (never offered); no readable buffer after a writable one (2.7.4.2); each buffer
 *   wholly inside RAM; the chain's total length at most VIRTQ_CHAIN_BYTES_MAX. Each descriptor is
 *   copied once before it is checked, so a guest rewriting it meanwhile cannot slip past a check.
 * Any failure returns VIRTQ_POP_BROKEN with a reason; the transport then sets DEVICE_NEEDS_RESET.
 *
 * Buffers may point anywhere in RAM, the VMM's boot pages (0-0x10000) and the rings included:
 * that is the guest's own memory, so a driver that hands the device its page tables gets them
 * overwritten, as a real device's DMA would. The host is never at risk: no pointer leaves RAM.
 *
 * Not thread-safe: the transport serialises every call on its lock.
 */
#ifndef MINIVMM_VIRTQUEUE_H
#define MINIVMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/guest_mem.h"

#define VIRTQ_NUM_LIMIT	      256	 /* the largest QueueNumMax any minivmm device offers */
#define VIRTQ_CHAIN_BYTES_MAX UINT32_MAX /* a used element's len is 32 bits (2.7.8) */

/* Descriptor flags (2.7.5). */
#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

/* Area sizes and alignments (2.7, table "Virtqueue Part"). */
#define VIRTQ_DESC_SIZE	       16u
#define VIRTQ_DESC_ALIGN       16u
#define VIRTQ_AVAIL_ALIGN      2u
#define VIRTQ_USED_ALIGN       4u
#define VIRTQ_AVAIL_BYTES(num) (6u + 2u * (uint64_t)(num))
#define VIRTQ_USED_BYTES(num)  (6u + 8u * (uint64_t)(num))

/* One buffer of a chain, already checked: host pointer valid for len bytes. */
struct virtq_buffer {
	uint8_t *hva;
	uint64_t gpa;
	uint32_t len;
	bool device_writable;
};

/* A descriptor chain taken from the available ring: the readable buffers come first. */
struct virtq_chain {
	uint16_t head; /* the id returned in the used ring */
	unsigned count;
	uint64_t readable_bytes, writable_bytes;
	struct virtq_buffer buffers[VIRTQ_NUM_LIMIT];
};

struct virtqueue {
	/* Written by the driver through the transport while the queue is not ready. */
	uint16_t num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool ready;
	/* Device state. */
	uint16_t next_avail;	      /* free-running: the available-ring slot of the next chain */
	uint16_t next_used;	      /* free-running: the used index the device publishes next */
	uint8_t *desc, *avail, *used; /* host pointers, valid while ready */
	const char *error;	      /* why the queue broke; NULL if it has not */
};

enum virtq_pop_result { VIRTQ_POP_EMPTY, VIRTQ_POP_CHAIN, VIRTQ_POP_BROKEN };

/* Back to the reset state (2.7: num 0, addresses 0, not ready, indices 0). */
void virtq_reset(struct virtqueue *vq);

/* QueueReady = 1: checks size and areas; returns false (vq->error set, not ready) if they are
 * unusable. */
bool virtq_enable(struct virtqueue *vq, const struct guest_mem *mem, uint16_t num_max);

/* Takes the next available chain, if any. On VIRTQ_POP_BROKEN vq->error says why and nothing is
 * consumed. */
enum virtq_pop_result virtq_pop(struct virtqueue *vq, const struct guest_mem *mem,
				struct virtq_chain *chain);

/* Gives back the chain virtq_pop just took (a device that cannot serve it yet). */
void virtq_unpop(struct virtqueue *vq);

/* Returns a chain to the driver with written bytes in its writable buffers (2.7.8): the element
 * first, then the index with release ordering, so the driver never sees an index ahead of it. */
void virtq_push(struct virtqueue *vq, uint16_t head, uint32_t written);

/* True if the driver asked for no used-buffer interrupts (2.7.7: VIRTQ_AVAIL_F_NO_INTERRUPT). */
bool virtq_interrupt_suppressed(const struct virtqueue *vq);

#endif
