/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport's state, shared by virtio_mmio.c (registers, queue serving) and
 * virtio_mmio_kvm.c (ioeventfd, irqfd, worker thread). Not for device files.
 */
#ifndef MINIVMM_VIRTIO_MMIO_INTERNAL_H
#define MINIVMM_VIRTIO_MMIO_INTERNAL_H

#include <pthread.h>

#include "machine/kvm.h"
#include "virtio/virtio_mmio.h"

struct virtio_mmio {
	pthread_mutex_t lock; /* guards everything below except the constant fields */
	/* Constant after attach. */
	const struct virtio_device_ops *ops;
	void *dev;
	const struct guest_mem *mem;
	uint64_t base;
	unsigned gsi;
	int vm_fd;  /* -1: no KVM (tests, fuzzers): no ioeventfd, irqfd or worker */
	bool quiet; /* no messages on stderr (no KVM: tests and fuzzers) */
	/* Registers (4.2.2). */
	uint32_t status, device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t interrupt_status, config_generation;
	struct virtqueue queues[VIRTIO_MMIO_MAX_QUEUES];
	struct virtq_chain chain; /* scratch for the chain being served */
	/* KVM wiring (virtio_mmio_kvm.c). */
	int notify_fd, irq_fd, stop_fd;
	bool ioeventfd_assigned, irqfd_assigned, worker_running;
	pthread_t worker;
	/* Counters and the last reason the device broke. */
	uint64_t notifies, register_exits, chains, bytes_written, resets_needed;
	const char *last_error;
};

/* The driver has set DRIVER_OK (or a snapshot with it was loaded): starts the worker, or
 * breaks the device (DEVICE_NEEDS_RESET) if it cannot. Lock held. */
void virtio_mmio_activate(struct virtio_mmio *t);

/* Serves every ready queue. Lock held. */
void virtio_mmio_serve_all(struct virtio_mmio *t);

/* Signals the used-buffer/config interrupt through the irqfd, if there is one. Lock held. */
void virtio_mmio_signal_irq(struct virtio_mmio *t);

/* Makes the worker serve the queues (as a doorbell through the ioeventfd would). */
void virtio_mmio_wake_worker(struct virtio_mmio *t);

/* Wires ioeventfd and irqfd where KVM allows; each missing piece falls back quietly (the device
 * works, with more exits). Called once from attach. */
void virtio_mmio_connect_kvm(struct virtio_mmio *t, const struct kvm *kvm);

/* Starts the worker that serves the doorbell's eventfd, once (at DRIVER_OK, or when a snapshot
 * with DRIVER_OK is loaded); nothing to do without an ioeventfd. Lock held. Returns 0 or a
 * negative errno (no thread: the caller breaks the device, as doorbells would go unserved). */
int virtio_mmio_start_worker(struct virtio_mmio *t);

/* Snapshot hooks (virtio_mmio_state.c; struct device_entry's save and load). */
size_t virtio_mmio_save(void *state, void *buf);
int virtio_mmio_load(void *state, const void *buf, size_t len);

/* Stops the worker and closes its eventfds, as the VM goes away (KVM drops the wiring). */
void virtio_mmio_disconnect_kvm(struct virtio_mmio *t);

#endif
