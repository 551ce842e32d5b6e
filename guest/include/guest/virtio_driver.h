/* SPDX-License-Identifier: MIT */
/*
 * A minimal ring-3 virtio-mmio driver for the toy guest's programs (virtio-rng, virtio-hostile):
 * the device's register page is opened with SYS_MMIO_MAP and the queues live in RAM from
 * SYS_MEM_MAP, whose addresses are guest-physical (the identity map), so the program can hand
 * them to the device as they are. No interrupts: the driver polls the used ring.
 *
 * VIRTIO 1.2: 3.1.1 (driver initialisation), 4.2.2 (registers), 4.2.3.2 (queue set-up), 2.7
 * (split virtqueue layout). Header-only so each program gets its own copy.
 */
#ifndef GUEST_VIRTIO_DRIVER_H
#define GUEST_VIRTIO_DRIVER_H

#include <stdint.h>

#include "guest/string.h"
#include "guest/user.h"

#define VDRV_MAGIC		 0x000
#define VDRV_VERSION		 0x004
#define VDRV_DEVICE_ID		 0x008
#define VDRV_DEVICE_FEATURES	 0x010
#define VDRV_DEVICE_FEATURES_SEL 0x014
#define VDRV_DRIVER_FEATURES	 0x020
#define VDRV_DRIVER_FEATURES_SEL 0x024
#define VDRV_QUEUE_SEL		 0x030
#define VDRV_QUEUE_NUM_MAX	 0x034
#define VDRV_QUEUE_NUM		 0x038
#define VDRV_QUEUE_READY	 0x044
#define VDRV_QUEUE_NOTIFY	 0x050
#define VDRV_INTERRUPT_STATUS	 0x060
#define VDRV_INTERRUPT_ACK	 0x064
#define VDRV_STATUS		 0x070
#define VDRV_QUEUE_DESC		 0x080 /* low; high at +4 */
#define VDRV_QUEUE_DRIVER	 0x090
#define VDRV_QUEUE_DEVICE	 0x0a0

#define VDRV_S_ACKNOWLEDGE 1u
#define VDRV_S_DRIVER	   2u
#define VDRV_S_DRIVER_OK   4u
#define VDRV_S_FEATURES_OK 8u
#define VDRV_S_NEEDS_RESET 64u

#define VDRV_F_VERSION_1_HIGH 1u /* VIRTIO_F_VERSION_1 is bit 32: bit 0 of features word 1 */
#define VDRV_DESC_F_NEXT      1u
#define VDRV_DESC_F_WRITE     2u
#define VDRV_DESC_F_INDIRECT  4u

struct vdrv_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vdrv {
	uint64_t base; /* register page */
	uint16_t qsize;
	struct vdrv_desc *desc;
	uint16_t *avail; /* flags, idx, ring[qsize] */
	uint8_t *used;	 /* flags, idx, {id, len}[qsize] */
	uint16_t avail_idx;
};

static inline uint32_t vdrv_read(const struct vdrv *d, uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(d->base + reg);
}

static inline void vdrv_write(const struct vdrv *d, uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(uintptr_t)(d->base + reg) = value;
}

static inline void vdrv_write64(const struct vdrv *d, uint32_t reg, uint64_t value)
{
	vdrv_write(d, reg, (uint32_t)value);
	vdrv_write(d, reg + 4, (uint32_t)(value >> 32));
}

/* 3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, features (VERSION_1 only), FEATURES_OK. Returns 0,
 * or -1 if the device refused FEATURES_OK. */
static inline int vdrv_negotiate(const struct vdrv *d)
{
	vdrv_write(d, VDRV_STATUS, 0);
	vdrv_write(d, VDRV_STATUS, VDRV_S_ACKNOWLEDGE);
	vdrv_write(d, VDRV_STATUS, VDRV_S_ACKNOWLEDGE | VDRV_S_DRIVER);
	vdrv_write(d, VDRV_DEVICE_FEATURES_SEL, 1);
	uint32_t high = vdrv_read(d, VDRV_DEVICE_FEATURES);
	vdrv_write(d, VDRV_DRIVER_FEATURES_SEL, 0);
	vdrv_write(d, VDRV_DRIVER_FEATURES, 0);
	vdrv_write(d, VDRV_DRIVER_FEATURES_SEL, 1);
	vdrv_write(d, VDRV_DRIVER_FEATURES, high & VDRV_F_VERSION_1_HIGH);
	uint32_t status = VDRV_S_ACKNOWLEDGE | VDRV_S_DRIVER | VDRV_S_FEATURES_OK;
	vdrv_write(d, VDRV_STATUS, status);
	return (vdrv_read(d, VDRV_STATUS) & VDRV_S_FEATURES_OK) ? 0 : -1;
}

/* Lays out queue 0 at ring_area (16 KiB, zeroed here): descriptors at +0, available ring at
 * +0x1000, used ring at +0x2000. */
static inline void vdrv_layout(struct vdrv *d, uint8_t *ring_area, uint16_t qsize)
{
	memset(ring_area, 0, 0x4000);
	d->qsize = qsize;
	d->desc = (struct vdrv_desc *)(void *)ring_area;
	d->avail = (uint16_t *)(void *)(ring_area + 0x1000);
	d->used = ring_area + 0x2000;
	d->avail_idx = 0;
}

/* 4.2.3.2: queue 0 with the given areas (guest-physical = virtual). */
static inline void vdrv_setup_queue(const struct vdrv *d, uint64_t desc, uint64_t avail,
				    uint64_t used, uint32_t num)
{
	vdrv_write(d, VDRV_QUEUE_SEL, 0);
	vdrv_write(d, VDRV_QUEUE_NUM, num);
	vdrv_write64(d, VDRV_QUEUE_DESC, desc);
	vdrv_write64(d, VDRV_QUEUE_DRIVER, avail);
	vdrv_write64(d, VDRV_QUEUE_DEVICE, used);
	vdrv_write(d, VDRV_QUEUE_READY, 1);
}

static inline void vdrv_setup_own_queue(const struct vdrv *d)
{
	vdrv_setup_queue(d, (uint64_t)(uintptr_t)d->desc, (uint64_t)(uintptr_t)d->avail,
			 (uint64_t)(uintptr_t)d->used, d->qsize);
}

static inline void vdrv_driver_ok(const struct vdrv *d)
{
	vdrv_write(d, VDRV_STATUS,
		   VDRV_S_ACKNOWLEDGE | VDRV_S_DRIVER | VDRV_S_FEATURES_OK | VDRV_S_DRIVER_OK);
}

/* Makes the chain starting at head available (2.7.13): the ring slot, then the index. */
static inline void vdrv_post(struct vdrv *d, uint16_t head)
{
	d->avail[2 + (d->avail_idx & (d->qsize - 1))] = head;
	d->avail_idx++;
	__atomic_store_n(&d->avail[1], d->avail_idx, __ATOMIC_RELEASE);
}

static inline uint16_t vdrv_used_idx(const struct vdrv *d)
{
	return __atomic_load_n((const uint16_t *)(const void *)(d->used + 2), __ATOMIC_ACQUIRE);
}

static inline uint32_t vdrv_used_len(const struct vdrv *d, uint16_t n)
{
	return *(volatile uint32_t *)(void *)(d->used + 4 + 8 * (n & (d->qsize - 1)) + 4);
}

/* Spins (in ring 3, no exits) until the used index reaches want or about max_tsc cycles pass.
 * Returns 0 when it did. */
static inline int vdrv_wait_used(const struct vdrv *d, uint16_t want, uint64_t max_tsc)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t start = ((uint64_t)hi << 32) | lo, now = start;
	while (vdrv_used_idx(d) != want) {
		__asm__ volatile("pause");
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		now = ((uint64_t)hi << 32) | lo;
		if (now - start > max_tsc)
			return -1;
	}
	return 0;
}

#endif
