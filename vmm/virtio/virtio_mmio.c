/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio registers (VIRTIO 1.2 section 4.2.2) and the serving of queues. KVM wiring and the
 * worker thread: virtio_mmio_kvm.c. Locking: virtio_mmio.h.
 */
#include "virtio/virtio_mmio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/bus.h"
#include "minivmm/boot_abi.h"
#include "virtio/virtio_mmio_internal.h"

/* Messages about guests that broke a device: enough to see what happened, never a flood. */
#define BROKEN_MESSAGES_MAX 32

static void raise_interrupt(struct virtio_mmio *t, uint32_t bit)
{
	t->interrupt_status |= bit;
	virtio_mmio_signal_irq(t);
}

/* 2.1.2: a device in an error state sets DEVICE_NEEDS_RESET and, if DRIVER_OK is set, sends a
 * configuration change notification. We send it in any case; the driver sees the bit either way. */
static void mark_broken(struct virtio_mmio *t, const char *why)
{
	if (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
		return;
	t->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	t->last_error = why;
	t->resets_needed++;
	if (t->resets_needed <= BROKEN_MESSAGES_MAX && !t->quiet)
		fprintf(stderr, "minivmm: %s: %s: device needs reset (DEVICE_NEEDS_RESET)\n",
			t->ops->name, why);
	raise_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

/* Serves one queue until it is empty or the budget is spent (2.7.13, device side). Lock held. */
static void serve_queue(struct virtio_mmio *t, unsigned index)
{
	struct virtqueue *vq = &t->queues[index];
	/* 3.1.1: no buffers are used before DRIVER_OK; none after the device broke. */
	if (!vq->ready || !(t->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (t->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
		return;
	/* At most num chains a call: all a driver can have outstanding when it rang (more is a
	 * broken queue); chains it adds meanwhile come with a doorbell of their own. So a second
	 * vCPU feeding the queue cannot keep the lock held forever. */
	unsigned used = 0;
	for (unsigned budget = vq->num; budget > 0; budget--) {
		enum virtq_pop_result r = virtq_pop(vq, t->mem, &t->chain);
		if (r == VIRTQ_POP_EMPTY)
			break;
		if (r == VIRTQ_POP_BROKEN) {
			mark_broken(t, vq->error);
			return;
		}
		int64_t written = t->ops->handle_chain(t->dev, index, &t->chain);
		if (written == VIRTIO_CHAIN_DEFER) {
			virtq_unpop(vq);
			break;
		}
		if (written < 0 || (uint64_t)written > t->chain.writable_bytes) {
			mark_broken(t, "the device refused a descriptor chain of this shape");
			return;
		}
		virtq_push(vq, t->chain.head, (uint32_t)written);
		t->chains++;
		t->bytes_written += (uint64_t)written;
		used++;
	}
	/* 2.7.7: the driver may ask for no interrupt; the status bit is still set for pollers. */
	if (used) {
		t->interrupt_status |= VIRTIO_MMIO_INT_VRING;
		if (!virtq_interrupt_suppressed(vq))
			virtio_mmio_signal_irq(t);
	}
}

void virtio_mmio_serve_all(struct virtio_mmio *t)
{
	for (unsigned i = 0; i < t->ops->queue_count; i++)
		serve_queue(t, i);
}

/* 2.1, 4.2.2 (Status): writing 0 resets the device; every register returns to its initial
 * value and the queues are forgotten. */
static void device_reset(struct virtio_mmio *t)
{
	t->status = 0;
	t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
	t->driver_features = 0;
	t->interrupt_status = 0; /* last_error stays: it is history, for diagnostics */
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		virtq_reset(&t->queues[i]);
	if (t->ops->reset)
		t->ops->reset(t->dev);
}

void virtio_mmio_activate(struct virtio_mmio *t)
{
	if (virtio_mmio_start_worker(t)) /* the doorbells would go unserved */
		mark_broken(t, "cannot start the thread that serves the queues");
}

static uint64_t offered_features(const struct virtio_mmio *t)
{
	return t->ops->features | VIRTIO_F_VERSION_1;
}

/* 3.1.1 step 5-6: FEATURES_OK sticks only if the driver accepted a subset of what is offered,
 * VERSION_1 included (a legacy driver is not served). */
static void write_status(struct virtio_mmio *t, uint32_t value)
{
	if (value == 0) {
		device_reset(t);
		return;
	}
	uint32_t old = t->status;
	uint32_t next =
	    (value & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) | (old & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	if ((next & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		uint64_t f = t->driver_features;
		if ((f & ~offered_features(t)) || !(f & VIRTIO_F_VERSION_1))
			next &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	t->status = next;
	if ((next & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK)) {
		virtio_mmio_activate(t);
		virtio_mmio_serve_all(t); /* buffers posted before DRIVER_OK */
	}
}

static struct virtqueue *selected_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->queue_count ? &t->queues[t->queue_sel] : NULL;
}

static void set_half(uint64_t *field, uint32_t value, bool high)
{
	*field = high ? (*field & 0xffffffffull) | ((uint64_t)value << 32)
		      : (*field & ~0xffffffffull) | value;
}

/* The queue-address registers; ignored while the queue is ready (4.2.2: the driver must not
 * change them then). */
static void write_queue_address(struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	struct virtqueue *vq = selected_queue(t);
	if (!vq || vq->ready)
		return;
	bool high = offset & 4;
	switch (offset & ~4ull) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		set_half(&vq->desc_gpa, value, high);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		set_half(&vq->avail_gpa, value, high);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		set_half(&vq->used_gpa, value, high);
		break;
	}
}

static void write_queue_ready(struct virtio_mmio *t, uint32_t value)
{
	struct virtqueue *vq = selected_queue(t);
	if (!vq)
		return;
	if (!value) {
		vq->ready = false;
		return;
	}
	if (!vq->ready && !virtq_enable(vq, t->mem, t->ops->queue_num_max))
		mark_broken(t, vq->error);
}

static void write_notify(struct virtio_mmio *t)
{
	t->notifies++;
	if (t->worker_running)
		virtio_mmio_wake_worker(t); /* keep all serving on one thread */
	else
		virtio_mmio_serve_all(t);
}

static void write_register(struct virtio_mmio *t, uint64_t offset, uint32_t value)
{
	struct virtqueue *vq = selected_queue(t);
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Frozen once FEATURES_OK is set (3.1.1). */
		if (t->driver_features_sel < 2 && !(t->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&t->driver_features, value, t->driver_features_sel == 1);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (vq && !vq->ready)
			vq->num =
			    (uint16_t)(value > 0xffff ? 0 : value); /* checked at QueueReady */
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		write_queue_ready(t, value);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		write_notify(t);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->interrupt_status &= ~value;
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(t, value);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		write_queue_address(t, offset, value);
		break;
	default:
		break; /* read-only or unknown: ignored */
	}
}

static uint32_t read_register(struct virtio_mmio *t, uint64_t offset)
{
	struct virtqueue *vq = selected_queue(t);
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return t->device_features_sel < 2
			   ? (uint32_t)(offered_features(t) >> (32 * t->device_features_sel))
			   : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq ? t->ops->queue_num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq && vq->ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_generation;
	default:
		return 0; /* write-only or unknown */
	}
}

static void mmio_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct virtio_mmio *t = opaque;
	memset(data, 0, len);
	pthread_mutex_lock(&t->lock);
	t->register_exits++;
	if (offset >= VIRTIO_MMIO_CONFIG) {
		uint64_t at = offset - VIRTIO_MMIO_CONFIG;
		if (t->ops->config_read && at < t->ops->config_size &&
		    len <= t->ops->config_size - at)
			t->ops->config_read(t->dev, (uint32_t)at, data, len);
	} else if (len == 4 && offset % 4 == 0) { /* 4.2.2.2: 32-bit aligned accesses only */
		uint32_t value = read_register(t, offset);
		memcpy(data, &value, 4);
	}
	pthread_mutex_unlock(&t->lock);
}

static void mmio_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct virtio_mmio *t = opaque;
	pthread_mutex_lock(&t->lock);
	t->register_exits++;
	if (offset < VIRTIO_MMIO_CONFIG && len == 4 && offset % 4 == 0) {
		uint32_t value;
		memcpy(&value, data, 4);
		write_register(t, offset, value);
	} /* config space of the devices here is read-only; other widths are ignored */
	pthread_mutex_unlock(&t->lock);
}

static const struct bus_device_ops virtio_mmio_bus_ops = {mmio_read, mmio_write};

/* A platform reset (the device table's reset hook): the Device Reset of 2.4, as if the driver had
 * written 0 to Status: status, feature selection and acceptance, every queue (not ready, size and
 * addresses 0) and InterruptStatus cleared. 2.4.1: after it the device "MUST NOT send
 * notifications or interact with the queues" until the driver sets it up again. Under the lock,
 * so when this returns the worker has finished any chain it was serving and will touch none of
 * the old boot's rings again (they may lie in the image about to be reloaded).
 * The KVM wiring stays as it is, consistent with the reset device: the doorbell is at the same
 * address, and a doorbell still pending in its eventfd finds no ready queue. The irqfd leaves no
 * line raised: KVM turns each signal into a pulse on the GSI (raised, then lowered at once;
 * irqfd_inject in virt/kvm/eventfd.c), and reboot.c restores the controllers after this. */
static void transport_reset(void *state)
{
	struct virtio_mmio *t = state;
	pthread_mutex_lock(&t->lock);
	device_reset(t);
	pthread_mutex_unlock(&t->lock);
}

static void transport_destroy(void *state)
{
	struct virtio_mmio *t = state;
	virtio_mmio_disconnect_kvm(t);
	if (t->ops->destroy)
		t->ops->destroy(t->dev);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int virtio_mmio_attach(const struct device_host *host, uint64_t base, unsigned gsi,
		       const struct virtio_device_ops *ops, void *dev, struct vmm_error *err)
{
	struct virtio_mmio *t = calloc(1, sizeof *t);
	if (!t) {
		if (ops->destroy)
			ops->destroy(dev);
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	}
	*t = (struct virtio_mmio){.ops = ops,
				  .dev = dev,
				  .mem = host->mem,
				  .base = base,
				  .gsi = gsi,
				  .vm_fd = host->vm_fd,
				  .notify_fd = -1,
				  .irq_fd = -1,
				  .stop_fd = -1,
				  .quiet = host->vm_fd < 0};
	pthread_mutex_init(&t->lock, NULL);
	int ret =
	    device_table_add(host->devices, ops->name, t, transport_destroy, transport_reset, err);
	if (ret) {
		transport_destroy(t);
		return ret;
	}
	device_table_set_snapshot(host->devices, t, virtio_mmio_save, virtio_mmio_load);
	ret = bus_register(host->mmio_bus, base, MINIVMM_VIRTIO_MMIO_SLOT_SIZE, ops->name,
			   &virtio_mmio_bus_ops, t);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL, "cannot register %s at 0x%llx",
				     ops->name, (unsigned long long)base);
	if (host->vm_fd >= 0)
		virtio_mmio_connect_kvm(t, host->kvm);
	return 0;
}

struct virtio_mmio *virtio_mmio_find(const struct device_table *devices, const char *name)
{
	for (unsigned i = 0; i < devices->count; i++)
		if (devices->entries[i].destroy == transport_destroy &&
		    strcmp(devices->entries[i].name, name) == 0)
			return devices->entries[i].state;
	return NULL;
}

void virtio_mmio_counts(struct virtio_mmio *t, struct virtio_mmio_counts *out)
{
	pthread_mutex_lock(&t->lock);
	*out = (struct virtio_mmio_counts){
	    .notifies = t->notifies,
	    .register_exits = t->register_exits,
	    .chains = t->chains,
	    .bytes_written = t->bytes_written,
	    .resets_needed = t->resets_needed,
	    .have_ioeventfd = t->ioeventfd_assigned,
	    .have_irqfd = t->irqfd_assigned,
	    .last_error = t->last_error,
	};
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_kick(struct virtio_mmio *t)
{
	if (t->worker_running) {
		virtio_mmio_wake_worker(t);
		return;
	}
	pthread_mutex_lock(&t->lock);
	virtio_mmio_serve_all(t);
	pthread_mutex_unlock(&t->lock);
}
