/* SPDX-License-Identifier: MIT */
/*
 * A virtio-mmio transport in a snapshot (docs/snapshot.md): the registers of VIRTIO 1.2 4.2.2
 * (status, feature selection and acceptance, InterruptStatus, ConfigGeneration) and each
 * queue's size, areas, readiness and positions (the next available slot and used index).
 *
 * Restore re-enables each ready queue through virtq_enable(), which checks its size and areas
 * against this VM's RAM as a driver's QueueReady write does, then takes the saved positions.
 * The ioeventfd and irqfd were wired when the transport was attached to the new VM; a device
 * saved with DRIVER_OK gets its worker started (virtio_mmio_activate(), as DRIVER_OK does), and
 * the worker is woken once, so buffers the driver posted before the snapshot (their doorbell
 * was in the old process's eventfd) are served.
 */
#include <errno.h>
#include <string.h>

#include "virtio/virtio_mmio_internal.h"

struct virtio_queue_saved {
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t num, next_avail, next_used;
	uint8_t ready, reserved;
};

struct virtio_mmio_saved {
	uint32_t status, device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t interrupt_status, config_generation;
	struct virtio_queue_saved queues[VIRTIO_MMIO_MAX_QUEUES];
};
_Static_assert(sizeof(struct virtio_mmio_saved) == 160, "the saved layout is the format");

size_t virtio_mmio_save(void *state, void *buf)
{
	struct virtio_mmio *t = state;
	struct virtio_mmio_saved s = {0};
	pthread_mutex_lock(&t->lock);
	/* The vCPUs are parked, but a doorbell rung before may still wait in the ioeventfd for the
	 * worker: serve those chains now, so the worker finds nothing to do later and writes no
	 * guest RAM while the snapshot is written (snapshot.c saves devices before the interrupt
	 * controllers, so the interrupt this raises is in the saved IOAPIC/PIC and LAPIC). */
	virtio_mmio_serve_all(t);
	s.status = t->status;
	s.device_features_sel = t->device_features_sel;
	s.driver_features_sel = t->driver_features_sel;
	s.queue_sel = t->queue_sel;
	s.driver_features = t->driver_features;
	s.interrupt_status = t->interrupt_status;
	s.config_generation = t->config_generation;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		const struct virtqueue *vq = &t->queues[i];
		s.queues[i] = (struct virtio_queue_saved){
		    .desc_gpa = vq->desc_gpa,
		    .avail_gpa = vq->avail_gpa,
		    .used_gpa = vq->used_gpa,
		    .num = vq->num,
		    .next_avail = vq->next_avail,
		    .next_used = vq->next_used,
		    .ready = vq->ready,
		};
	}
	pthread_mutex_unlock(&t->lock);
	memcpy(buf, &s, sizeof s);
	return sizeof s;
}

int virtio_mmio_load(void *state, const void *buf, size_t len)
{
	struct virtio_mmio *t = state;
	struct virtio_mmio_saved s;
	if (len != sizeof s)
		return -EINVAL;
	memcpy(&s, buf, sizeof s);
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		if (s.queues[i].ready > 1 || s.queues[i].reserved ||
		    (s.queues[i].ready && i >= t->ops->queue_count))
			return -EINVAL;
	pthread_mutex_lock(&t->lock);
	int ret = 0;
	for (unsigned i = 0; !ret && i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		struct virtqueue *vq = &t->queues[i];
		const struct virtio_queue_saved *q = &s.queues[i];
		virtq_reset(vq);
		vq->num = q->num;
		vq->desc_gpa = q->desc_gpa;
		vq->avail_gpa = q->avail_gpa;
		vq->used_gpa = q->used_gpa;
		if (q->ready && !virtq_enable(vq, t->mem, t->ops->queue_num_max))
			ret = -EINVAL;
		vq->next_avail = q->next_avail;
		vq->next_used = q->next_used;
	}
	if (!ret) {
		t->status = s.status;
		t->device_features_sel = s.device_features_sel;
		t->driver_features_sel = s.driver_features_sel;
		t->queue_sel = s.queue_sel;
		t->driver_features = s.driver_features;
		t->interrupt_status = s.interrupt_status;
		t->config_generation = s.config_generation;
		if (t->status & VIRTIO_STATUS_DRIVER_OK)
			virtio_mmio_activate(t);
	}
	pthread_mutex_unlock(&t->lock);
	if (!ret && t->worker_running)
		virtio_mmio_wake_worker(t);
	return ret;
}
