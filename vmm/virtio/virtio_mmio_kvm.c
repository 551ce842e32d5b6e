/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport's KVM wiring: the QueueNotify doorbell as an ioeventfd (api.rst 4.59),
 * the interrupt as an irqfd (api.rst 4.75), and the worker thread that serves the queues when the
 * doorbell rings. With both, a request costs the guest one VM exit handled inside KVM (the
 * doorbell store) and no exit to minivmm at all.
 *
 * The worker blocks in poll() on two eventfds: the doorbell and a stop request. It takes no
 * asynchronous signal (quiet_thread.h), so SIGINT and the vCPU kick signal keep going to the
 * threads that wait for them. Its system calls: poll,
 * read, write (eventfds), the futex behind the transport lock, and whatever handle_chain needs
 * (getrandom for virtio-rng).
 *
 * The worker starts when the driver first sets DRIVER_OK (virtio 1.2 3.1.1: no buffer is used
 * before), from the vCPU thread under the sandbox (clone with CLONE_THREAD and non-executable
 * stacks are allowed), so a VM whose guest never drives the device pays for no thread. Doorbells
 * rung before that wait in the eventfd. The eventfds and KVM's wiring are made at attach, before
 * the sandbox, which allows neither eventfd2 nor KVM_IOEVENTFD. The worker has no name
 * (pthread_setname_np would need open or prctl under the filter), as the RTC's timer thread.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "host/quiet_thread.h"
#include "virtio/virtio_mmio_internal.h"

static void eventfd_signal(int fd)
{
	uint64_t one = 1;
	/* Only fails with EAGAIN when the counter is about to overflow: a signal is pending then
	 * anyway. */
	if (fd >= 0 && write(fd, &one, sizeof one) < 0 && errno != EAGAIN)
		return;
}

void virtio_mmio_signal_irq(struct virtio_mmio *t)
{
	if (t->irqfd_assigned)
		eventfd_signal(t->irq_fd);
}

void virtio_mmio_wake_worker(struct virtio_mmio *t)
{
	eventfd_signal(t->notify_fd);
}

static void *worker_main(void *arg)
{
	struct virtio_mmio *t = arg;
	struct pollfd fds[2] = {{.fd = t->notify_fd, .events = POLLIN},
				{.fd = t->stop_fd, .events = POLLIN}};
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		uint64_t rings;
		if (!(fds[0].revents & POLLIN) ||
		    read(t->notify_fd, &rings, sizeof rings) != sizeof rings)
			continue;
		pthread_mutex_lock(&t->lock);
		/* Doorbells that KVM absorbed count here; userspace ones were counted on the bus.
		 */
		t->notifies += t->ioeventfd_assigned ? rings : 0;
		virtio_mmio_serve_all(t);
		pthread_mutex_unlock(&t->lock);
	}
	return NULL;
}

static int new_eventfd(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static struct kvm_ioeventfd doorbell_request(const struct virtio_mmio *t, bool deassign)
{
	return (struct kvm_ioeventfd){
	    .addr = t->base + VIRTIO_MMIO_QUEUE_NOTIFY,
	    .len = 4, /* the driver writes QueueNotify with one 32-bit store (4.2.2.2) */
	    .fd = t->notify_fd,
	    .flags = deassign ? KVM_IOEVENTFD_FLAG_DEASSIGN : 0, /* any value: no DATAMATCH */
	};
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* KVM_IRQFD needs an in-kernel irqchip (x86 refuses it with EINVAL otherwise): try it and keep
 * the polled interrupt status if KVM says no. */
static void connect_irqfd(struct virtio_mmio *t, const struct kvm *kvm)
{
	if (kvm_check_extension(kvm, KVM_CAP_IRQFD) <= 0 || (t->irq_fd = new_eventfd()) < 0)
		return;
	struct kvm_irqfd request = {.fd = (uint32_t)t->irq_fd, .gsi = t->gsi};
	if (ioctl(t->vm_fd, KVM_IRQFD, &request) == 0)
		t->irqfd_assigned = true;
	else
		close_fd(&t->irq_fd);
}

int virtio_mmio_start_worker(struct virtio_mmio *t)
{
	if (t->worker_running || !t->ioeventfd_assigned)
		return 0;
	int ret = quiet_thread_create(&t->worker, NULL, worker_main, t);
	if (ret)
		return -ret;
	t->worker_running = true;
	return 0;
}

static void connect_ioeventfd(struct virtio_mmio *t, const struct kvm *kvm)
{
	if (kvm_check_extension(kvm, KVM_CAP_IOEVENTFD) <= 0)
		return;
	/* Without both eventfds there is no worker: serve on the vCPU, the doorbell exiting. */
	if ((t->notify_fd = new_eventfd()) < 0 || (t->stop_fd = new_eventfd()) < 0) {
		close_fd(&t->notify_fd);
		return;
	}
	struct kvm_ioeventfd request = doorbell_request(t, false);
	if (ioctl(t->vm_fd, KVM_IOEVENTFD, &request) < 0) {
		close_fd(&t->notify_fd);
		close_fd(&t->stop_fd);
		return;
	}
	t->ioeventfd_assigned = true;
}

void virtio_mmio_connect_kvm(struct virtio_mmio *t, const struct kvm *kvm)
{
	connect_irqfd(t, kvm);
	connect_ioeventfd(t, kvm);
}

void virtio_mmio_disconnect_kvm(struct virtio_mmio *t)
{
	if (t->worker_running) {
		eventfd_signal(t->stop_fd);
		pthread_join(t->worker, NULL);
		t->worker_running = false;
	}
	/* No KVM_IOEVENTFD deassign: this runs only as the VM goes away, and KVM releases the
	 * doorbell with the VM (devices/device_table.h). No KVM_IRQFD deassign either (the sandbox
	 * does not allow it): closing the eventfd makes KVM drop the irqfd by itself (KVM watches
	 * the eventfd for POLLHUP, which its release raises). */
	t->ioeventfd_assigned = false;
	t->irqfd_assigned = false;
	close_fd(&t->notify_fd);
	close_fd(&t->irq_fd);
	close_fd(&t->stop_fd);
}
