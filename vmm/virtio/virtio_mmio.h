/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport, modern interface (VIRTIO 1.2 section 4.2, register layout 4.2.2,
 * Version 2), generic over the device type: a device file supplies a struct virtio_device_ops
 * (its ID, features, queues and what to do with one descriptor chain) and calls
 * virtio_mmio_attach(). Queues are split virtqueues (virtqueue.h).
 *
 * Notification and interrupts, when KVM offers them:
 * - QueueNotify (offset 0x50) is bound to an eventfd with KVM_IOEVENTFD (api.rst 4.59; len 4, no
 *   datamatch), so a doorbell write completes inside KVM. A worker thread per device polls that
 *   eventfd and serves every ready queue; the guest's vCPU never waits for the device.
 * - The used-buffer and configuration-change interrupts set InterruptStatus and, if KVM accepts
 *   KVM_IRQFD (api.rst 4.75; only with an in-kernel irqchip), signal an eventfd that KVM turns
 *   into an edge on the device's GSI. Without one the driver polls the used ring or
 *   InterruptStatus.
 * Without ioeventfd (or with no KVM at all: unit tests, fuzzers) there is no worker: a
 * QueueNotify write is served on the vCPU thread during its MMIO exit.
 *
 * Locking: one mutex per device guards every register, queue and device field. The vCPU thread
 * takes it for each register access (bus callbacks); the worker takes it while it serves the
 * queues. So a reset (Status = 0) or a QueueReady change never interleaves with a chain being
 * served, and a device's handle_chain() runs with the lock held.
 */
#ifndef MINIVMM_VIRTIO_MMIO_H
#define MINIVMM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/device_host.h"
#include "devices/device_table.h"
#include "virtio/virtqueue.h"

/* Registers (4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_MAGIC	   0x74726976u /* "virt" */
#define VIRTIO_MMIO_VERSION_MODERN 2u
#define VIRTIO_MMIO_VENDOR	   0x4d564d4du /* "MMVM": minivmm's own vendor ID */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	 1u
#define VIRTIO_STATUS_DRIVER		 2u
#define VIRTIO_STATUS_DRIVER_OK		 4u
#define VIRTIO_STATUS_FEATURES_OK	 8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED		 128u

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_MMIO_INT_VRING  1u /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2u /* configuration change (also: device needs reset) */

#define VIRTIO_F_VERSION_1 (1ull << 32) /* 6: a modern (1.x) device; required here */

#define VIRTIO_MMIO_MAX_QUEUES 4

/* What handle_chain may return instead of a byte count. */
#define VIRTIO_CHAIN_DEFER (-1) /* cannot serve it yet: give it back, stop this queue for now */
#define VIRTIO_CHAIN_BAD   (-2) /* malformed for this device type: the device needs a reset */

struct virtio_device_ops {
	const char *name;   /* device name, for the bus and messages ("virtio-rng") */
	uint32_t device_id; /* 5: Device Types */
	uint64_t features;  /* device-type bits; the transport adds VIRTIO_F_VERSION_1 */
	unsigned queue_count;
	uint16_t queue_num_max; /* a power of two, at most VIRTQ_NUM_LIMIT */
	/* Device configuration space at 0x100 (NULL: none, reads are 0). offset+len inside it. */
	uint32_t config_size;
	void (*config_read)(void *dev, uint32_t offset, uint8_t *data, uint32_t len);
	/* Serves one chain (buffers checked against RAM) of queue; returns the bytes it wrote into
	 * the writable buffers, or VIRTIO_CHAIN_DEFER / VIRTIO_CHAIN_BAD. Lock held. */
	int64_t (*handle_chain)(void *dev, unsigned queue, const struct virtq_chain *chain);
	/* Optional: back to the device's power-on state, at every Device Reset (Status = 0, or a
	 * guest reset of the whole machine). Lock held. */
	void (*reset)(void *dev);
	void (*destroy)(void *dev); /* optional: frees dev */
};

struct virtio_mmio;

/* Creates the transport at base (one MINIVMM_VIRTIO_MMIO_SLOT_SIZE page) for dev, registers it
 * on the host's MMIO bus and in its device table (named ops->name; destroying it destroys dev; a
 * guest reset of the machine is a Device Reset, 2.4), and connects the ioeventfd, irqfd on gsi and
 * the worker where KVM allows (host->vm_fd). On failure dev is destroyed too. */
int virtio_mmio_attach(const struct device_host *host, uint64_t base, unsigned gsi,
		       const struct virtio_device_ops *ops, void *dev, struct vmm_error *err);

/* The transport a device of that name in the table holds, or NULL (tests, diagnostics). */
struct virtio_mmio *virtio_mmio_find(const struct device_table *devices, const char *name);

struct virtio_mmio_counts {
	uint64_t notifies;	 /* doorbells served (eventfd signals and userspace writes) */
	uint64_t register_exits; /* bus accesses that reached userspace */
	uint64_t chains;	 /* chains returned to the driver */
	uint64_t bytes_written;	 /* into device-writable buffers */
	uint64_t resets_needed;	 /* times the device marked itself DEVICE_NEEDS_RESET */
	bool have_ioeventfd, have_irqfd;
	const char *last_error; /* the latest reason for DEVICE_NEEDS_RESET, or NULL */
};

void virtio_mmio_counts(struct virtio_mmio *t, struct virtio_mmio_counts *out);

/* The device side's way to say "try the queues again" (new input for a deferred chain). */
void virtio_mmio_kick(struct virtio_mmio *t);

#endif
