/* SPDX-License-Identifier: MIT */
/*
 * Split virtqueue, device side (VIRTIO 1.2 section 2.7). See virtqueue.h for what is checked.
 *
 * Guest memory is shared with a running vCPU, so every field the driver owns is read exactly once
 * into a local (an atomic load, or a memcpy of the whole descriptor) and only the local is
 * checked and used. The available index is loaded with acquire ordering before the ring slots and
 * descriptors it publishes (2.7.13: the driver writes them before a memory barrier and the index);
 * the used index is stored with release ordering after the elements (2.7.8). Little-endian host.
 */
#include "virtio/virtqueue.h"

#include <string.h>

/* Offsets inside the areas (2.7.6 available ring, 2.7.8 used ring). */
#define RING_FLAGS	     0u
#define RING_IDX	     2u
#define RING_ENTRIES	     4u
#define USED_ELEM_SIZE	     8u
#define AVAIL_F_NO_INTERRUPT 1u

struct desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

_Static_assert(sizeof(struct desc_copy) == VIRTQ_DESC_SIZE, "descriptor layout (2.7.5)");

static uint16_t load16(const uint8_t *p, int order)
{
	return __atomic_load_n((const uint16_t *)(const void *)p, order);
}

static void store16(uint8_t *p, uint16_t v, int order)
{
	__atomic_store_n((uint16_t *)(void *)p, v, order);
}

static void store32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)p, v, __ATOMIC_RELAXED);
}

void virtq_reset(struct virtqueue *vq)
{
	memset(vq, 0, sizeof *vq);
}

static bool fail(struct virtqueue *vq, const char *why)
{
	vq->error = why;
	vq->ready = false;
	return false;
}

/* The area [gpa, gpa + bytes) aligned to align and inside RAM; its host pointer or NULL. */
static uint8_t *map_area(const struct guest_mem *mem, uint64_t gpa, uint64_t bytes, uint64_t align)
{
	if (gpa % align)
		return NULL;
	return guest_mem_gpa_to_hva(mem, gpa, bytes);
}

bool virtq_enable(struct virtqueue *vq, const struct guest_mem *mem, uint16_t num_max)
{
	uint16_t num = vq->num;
	if (num == 0 || num > num_max || num > VIRTQ_NUM_LIMIT || (num & (num - 1)))
		return fail(vq, "queue size is 0, above QueueNumMax or not a power of two");
	vq->desc = map_area(mem, vq->desc_gpa, (uint64_t)num * VIRTQ_DESC_SIZE, VIRTQ_DESC_ALIGN);
	if (!vq->desc)
		return fail(vq, "descriptor table misaligned or outside guest RAM");
	vq->avail = map_area(mem, vq->avail_gpa, VIRTQ_AVAIL_BYTES(num), VIRTQ_AVAIL_ALIGN);
	if (!vq->avail)
		return fail(vq, "available ring misaligned or outside guest RAM");
	vq->used = map_area(mem, vq->used_gpa, VIRTQ_USED_BYTES(num), VIRTQ_USED_ALIGN);
	if (!vq->used)
		return fail(vq, "used ring misaligned or outside guest RAM");
	/* Both free-running counters start at 0 when a queue is enabled (2.7.6, 2.7.8). */
	vq->next_used = vq->next_avail = 0;
	vq->error = NULL;
	vq->ready = true;
	return true;
}

static enum virtq_pop_result broken(struct virtqueue *vq, const char *why)
{
	vq->error = why;
	return VIRTQ_POP_BROKEN;
}

/* Walks the chain from head (2.7.5), filling chain. */
static enum virtq_pop_result walk_chain(struct virtqueue *vq, const struct guest_mem *mem,
					uint16_t head, struct virtq_chain *chain)
{
	uint64_t total = 0;
	uint16_t index = head;
	bool seen_writable = false;
	chain->head = head;
	chain->count = 0;
	chain->readable_bytes = chain->writable_bytes = 0;
	for (;;) {
		/* More descriptors than the table holds: some index repeats, so the chain loops. */
		if (chain->count == vq->num)
			return broken(vq, "descriptor chain longer than the queue (a loop)");
		struct desc_copy d;
		memcpy(&d, vq->desc + (uint64_t)index * VIRTQ_DESC_SIZE, sizeof d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return broken(vq,
				      "indirect descriptor (VIRTIO_F_INDIRECT_DESC not offered)");
		bool writable = d.flags & VIRTQ_DESC_F_WRITE;
		if (!writable && seen_writable)
			return broken(vq, "device-readable buffer after a device-writable one");
		seen_writable |= writable;
		uint8_t *hva = guest_mem_gpa_to_hva(mem, d.addr, d.len);
		if (!hva)
			return broken(vq,
				      "buffer outside guest RAM (or its address + length wraps)");
		total += d.len; /* at most num * 2^32: cannot overflow 64 bits */
		if (total > VIRTQ_CHAIN_BYTES_MAX)
			return broken(vq, "descriptor chain longer than 4 GiB in total");
		chain->buffers[chain->count++] = (struct virtq_buffer){
		    .hva = hva, .gpa = d.addr, .len = d.len, .device_writable = writable};
		*(writable ? &chain->writable_bytes : &chain->readable_bytes) += d.len;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return VIRTQ_POP_CHAIN;
		if (d.next >= vq->num)
			return broken(vq, "descriptor 'next' index beyond the queue size");
		index = d.next;
	}
}

enum virtq_pop_result virtq_pop(struct virtqueue *vq, const struct guest_mem *mem,
				struct virtq_chain *chain)
{
	if (!vq->ready || vq->error)
		return vq->error ? VIRTQ_POP_BROKEN : VIRTQ_POP_EMPTY;
	uint16_t avail_idx = load16(vq->avail + RING_IDX, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(avail_idx - vq->next_avail);
	if (pending == 0)
		return VIRTQ_POP_EMPTY;
	if (pending > vq->num)
		return broken(vq, "available index more than the queue size ahead of the device");
	uint16_t slot = vq->next_avail & (uint16_t)(vq->num - 1);
	uint16_t head = load16(vq->avail + RING_ENTRIES + 2u * slot, __ATOMIC_RELAXED);
	if (head >= vq->num)
		return broken(vq, "available ring names a descriptor beyond the queue size");
	enum virtq_pop_result r = walk_chain(vq, mem, head, chain);
	if (r == VIRTQ_POP_CHAIN)
		vq->next_avail++;
	return r;
}

void virtq_unpop(struct virtqueue *vq)
{
	vq->next_avail--;
}

void virtq_push(struct virtqueue *vq, uint16_t head, uint32_t written)
{
	if (!vq->ready)
		return;
	uint16_t slot = vq->next_used & (uint16_t)(vq->num - 1);
	uint8_t *elem = vq->used + RING_ENTRIES + (uint64_t)USED_ELEM_SIZE * slot;
	store32(elem, head);
	store32(elem + 4, written);
	vq->next_used++;
	store16(vq->used + RING_IDX, vq->next_used, __ATOMIC_RELEASE);
}

bool virtq_interrupt_suppressed(const struct virtqueue *vq)
{
	return vq->ready &&
	       (load16(vq->avail + RING_FLAGS, __ATOMIC_RELAXED) & AVAIL_F_NO_INTERRUPT);
}
