/* SPDX-License-Identifier: MIT */
/*
 * The bench device: registers for guest/programs/bench.c, each reached by a different path
 * (addresses and the guest's view: include/minivmm/boot_abi.h, MINIVMM_BENCH_*).
 *
 * - PIO register and MMIO register page: ordinary bus ranges; every write is one userspace exit
 *   and is counted here; reads return the count.
 * - PIO and MMIO doorbells: KVM_IOEVENTFD (api.rst 4.59) binds a 4-byte write at the address to
 *   an eventfd, so KVM completes the write in the kernel and only increments the eventfd's
 *   counter. The eventfd counter is the write count. The doorbells also sit on the buses, which
 *   then see only the accesses ioeventfd does not match (reads, other lengths).
 * - Coalesced page: KVM_REGISTER_COALESCED_MMIO (api.rst 4.116): KVM appends each write to a ring
 *   in the vCPU's mmap area (at page KVM_CAP_COALESCED_MMIO's value) and resumes the guest
 *   without exiting to userspace (the VM exit into KVM remains); the run loop drains the ring into
 *   the MMIO bus, where this page counts them. A write that finds the ring
 *   full exits as ordinary MMIO and is counted the same way.
 *
 * Where KVM lacks ioeventfd or coalesced MMIO (KVM_CHECK_EXTENSION), the addresses stay plain
 * userspace registers and bench_device_counts() says the feature is absent.
 */
#include "devices/bench_device.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/devices.h"
#include "machine/bus.h"
#include "machine/kvm.h"
#include "minivmm/boot_abi.h"

/* One ioeventfd doorbell: its eventfd, and what was handed to KVM (to undo it). */
struct doorbell {
	int eventfd; /* -1: none */
	bool assigned;
	struct kvm_ioeventfd request;
	uint64_t signalled;		 /* eventfd counts read so far */
	_Atomic uint64_t userspace_hits; /* accesses that came through the bus */
};

struct bench_device {
	int vm_fd;
	/* Bumped on the vCPU thread by bus callbacks; read by bench_device_counts(). */
	_Atomic uint64_t pio_writes, mmio_writes, coalesced_writes;
	struct doorbell pio_doorbell, mmio_doorbell;
	bool coalesced_registered;
	struct kvm_coalesced_mmio_zone zone;
};

/* A read returns a count, little-endian, truncated to the access width. */
static void fill_count(uint64_t count, uint8_t *data, uint32_t len)
{
	memset(data, 0, len);
	memcpy(data, &count, len < sizeof count ? len : sizeof count);
}

static void pio_register_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct bench_device *dev = opaque;
	(void)offset;
	fill_count(atomic_load_explicit(&dev->pio_writes, memory_order_relaxed), data, len);
}

static void pio_register_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct bench_device *dev = opaque;
	(void)offset, (void)data, (void)len;
	atomic_fetch_add_explicit(&dev->pio_writes, 1, memory_order_relaxed);
}

static void mmio_register_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct bench_device *dev = opaque;
	(void)offset;
	fill_count(atomic_load_explicit(&dev->mmio_writes, memory_order_relaxed), data, len);
}

static void mmio_register_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct bench_device *dev = opaque;
	(void)offset, (void)data, (void)len;
	atomic_fetch_add_explicit(&dev->mmio_writes, 1, memory_order_relaxed);
}

static void doorbell_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct doorbell *bell = opaque;
	(void)offset;
	atomic_fetch_add_explicit(&bell->userspace_hits, 1, memory_order_relaxed);
	fill_count(0, data, len);
}

static void doorbell_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct doorbell *bell = opaque;
	(void)offset, (void)data, (void)len;
	atomic_fetch_add_explicit(&bell->userspace_hits, 1, memory_order_relaxed);
}

static void coalesced_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct bench_device *dev = opaque;
	(void)offset;
	fill_count(atomic_load_explicit(&dev->coalesced_writes, memory_order_relaxed), data, len);
}

static void coalesced_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct bench_device *dev = opaque;
	(void)offset, (void)data, (void)len;
	atomic_fetch_add_explicit(&dev->coalesced_writes, 1, memory_order_relaxed);
}

static const struct bus_device_ops pio_register_ops = {pio_register_read, pio_register_write};
static const struct bus_device_ops mmio_register_ops = {mmio_register_read, mmio_register_write};
static const struct bus_device_ops doorbell_ops = {doorbell_read, doorbell_write};
static const struct bus_device_ops coalesced_ops = {coalesced_read, coalesced_write};

/* Wires one doorbell to a fresh eventfd: a 4-byte write at addr (any value: no DATAMATCH)
 * signals it. Returns false, leaving the doorbell a plain register, if KVM refuses. */
static bool doorbell_assign(struct doorbell *bell, int vm_fd, uint64_t addr, bool pio)
{
	bell->eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (bell->eventfd < 0)
		return false;
	bell->request = (struct kvm_ioeventfd){
	    .addr = addr,
	    .len = MINIVMM_BENCH_DOORBELL_LEN,
	    .fd = bell->eventfd,
	    .flags = pio ? KVM_IOEVENTFD_FLAG_PIO : 0,
	};
	if (ioctl(vm_fd, KVM_IOEVENTFD, &bell->request) < 0) {
		close(bell->eventfd);
		bell->eventfd = -1;
		return false;
	}
	bell->assigned = true;
	return true;
}

static void doorbell_release(struct doorbell *bell, int vm_fd)
{
	if (bell->assigned) {
		struct kvm_ioeventfd undo = bell->request;
		undo.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
		ioctl(vm_fd, KVM_IOEVENTFD, &undo);
		bell->assigned = false;
	}
	if (bell->eventfd >= 0)
		close(bell->eventfd);
	bell->eventfd = -1;
}

/* Adds what the eventfd counted since the last read (reading resets it, eventfd(2)). */
static uint64_t doorbell_signals(struct doorbell *bell)
{
	uint64_t value;
	if (bell->eventfd >= 0 && read(bell->eventfd, &value, sizeof value) == sizeof value)
		bell->signalled += value;
	return bell->signalled;
}

/* Reads the eventfd to zero (dropping the old boot's signals) and forgets the counts; the
 * ioeventfd registration stays, the address does not move. */
static void doorbell_reset(struct doorbell *bell)
{
	doorbell_signals(bell);
	bell->signalled = 0;
	atomic_store_explicit(&bell->userspace_hits, 0, memory_order_relaxed);
}

/* A guest reset: every count back to 0, as at power-on, so the rebooted guest's reads of the
 * PIO, MMIO and coalesced registers start from 0 again and bench_device_counts() tells the last
 * boot's accesses. The coalesced zone stays registered; its ring holds nothing of the old boot,
 * since the run loop drains it before it handles the exit that reset the machine. */
static void bench_device_reset(void *state)
{
	struct bench_device *dev = state;
	atomic_store_explicit(&dev->pio_writes, 0, memory_order_relaxed);
	atomic_store_explicit(&dev->mmio_writes, 0, memory_order_relaxed);
	atomic_store_explicit(&dev->coalesced_writes, 0, memory_order_relaxed);
	doorbell_reset(&dev->pio_doorbell);
	doorbell_reset(&dev->mmio_doorbell);
}

/* Snapshot (docs/snapshot.md): the counts, each doorbell's eventfd folded in first. */
struct bench_device_saved {
	uint64_t pio_writes, mmio_writes, coalesced_writes;
	uint64_t doorbell_signalled[2], doorbell_userspace_hits[2];
};

static size_t bench_device_save(void *state, void *buf)
{
	struct bench_device *dev = state;
	struct doorbell *bells[2] = {&dev->pio_doorbell, &dev->mmio_doorbell};
	struct bench_device_saved s = {
	    .pio_writes = atomic_load(&dev->pio_writes),
	    .mmio_writes = atomic_load(&dev->mmio_writes),
	    .coalesced_writes = atomic_load(&dev->coalesced_writes),
	};
	for (unsigned i = 0; i < 2; i++) {
		s.doorbell_signalled[i] = doorbell_signals(bells[i]);
		s.doorbell_userspace_hits[i] = atomic_load(&bells[i]->userspace_hits);
	}
	memcpy(buf, &s, sizeof s);
	return sizeof s;
}

static int bench_device_load(void *state, const void *buf, size_t len)
{
	struct bench_device *dev = state;
	struct doorbell *bells[2] = {&dev->pio_doorbell, &dev->mmio_doorbell};
	struct bench_device_saved s;
	if (len != sizeof s)
		return -EINVAL;
	memcpy(&s, buf, sizeof s);
	atomic_store(&dev->pio_writes, s.pio_writes);
	atomic_store(&dev->mmio_writes, s.mmio_writes);
	atomic_store(&dev->coalesced_writes, s.coalesced_writes);
	for (unsigned i = 0; i < 2; i++) {
		bells[i]->signalled = s.doorbell_signalled[i];
		atomic_store(&bells[i]->userspace_hits, s.doorbell_userspace_hits[i]);
	}
	return 0;
}

/* The doorbells' ioeventfds and the coalesced zone stay registered: KVM releases them with the
 * VM, which goes away right after this (devices/device_table.h). */
static void bench_device_destroy(void *state)
{
	struct bench_device *dev = state;
	if (dev->pio_doorbell.eventfd >= 0)
		close(dev->pio_doorbell.eventfd);
	if (dev->mmio_doorbell.eventfd >= 0)
		close(dev->mmio_doorbell.eventfd);
	free(dev);
}

static void bench_device_connect_kvm(const struct device_host *host, struct bench_device *dev)
{
	int vm_fd = host->vm_fd;
	if (vm_fd < 0)
		return; /* a VM without KVM (unit tests): plain registers only */
	if (kvm_check_extension(host->kvm, KVM_CAP_IOEVENTFD) > 0 &&
	    doorbell_assign(&dev->pio_doorbell, vm_fd, MINIVMM_BENCH_PIO_DOORBELL_PORT, true) &&
	    !doorbell_assign(&dev->mmio_doorbell, vm_fd, MINIVMM_BENCH_MMIO_DOORBELL_GPA, false))
		doorbell_release(&dev->pio_doorbell, vm_fd); /* both or neither */
	if (kvm_check_extension(host->kvm, KVM_CAP_COALESCED_MMIO) > 0) {
		dev->zone = (struct kvm_coalesced_mmio_zone){
		    .addr = MINIVMM_BENCH_COALESCED_GPA,
		    .size = MINIVMM_BENCH_MMIO_PAGE_SIZE,
		};
		dev->coalesced_registered =
		    ioctl(vm_fd, KVM_REGISTER_COALESCED_MMIO, &dev->zone) == 0;
	}
}

static int bench_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
			  const struct bus_device_ops *ops, void *opaque, struct vmm_error *err)
{
	int ret = bus_register(bus, base, len, name, ops, opaque);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL, "cannot register %s at 0x%llx",
				     name, (unsigned long long)base);
	return 0;
}

static int bench_device_attach(const struct device_host *host, struct vmm_error *err)
{
	struct bench_device *dev = calloc(1, sizeof *dev);
	if (!dev)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	dev->vm_fd = host->vm_fd;
	dev->pio_doorbell.eventfd = dev->mmio_doorbell.eventfd = -1;
	int ret = device_table_add(host->devices, BENCH_DEVICE_NAME, dev, bench_device_destroy,
				   bench_device_reset, err);
	if (ret) {
		free(dev);
		return ret;
	}
	device_table_set_snapshot(host->devices, dev, bench_device_save, bench_device_load);
	ret = bench_register(host->pio_bus, MINIVMM_BENCH_PIO_PORT, MINIVMM_BENCH_PIO_SIZE,
			     "bench-pio", &pio_register_ops, dev, err);
	ret = ret
		  ?: bench_register(host->pio_bus, MINIVMM_BENCH_PIO_DOORBELL_PORT,
				    MINIVMM_BENCH_PIO_SIZE, "bench-doorbell-pio", &doorbell_ops,
				    &dev->pio_doorbell, err);
	ret = ret
		  ?: bench_register(host->mmio_bus, MINIVMM_BENCH_MMIO_GPA,
				    MINIVMM_BENCH_MMIO_PAGE_SIZE, "bench-mmio", &mmio_register_ops,
				    dev, err);
	ret = ret
		  ?: bench_register(host->mmio_bus, MINIVMM_BENCH_MMIO_DOORBELL_GPA,
				    MINIVMM_BENCH_MMIO_PAGE_SIZE, "bench-doorbell-mmio",
				    &doorbell_ops, &dev->mmio_doorbell, err);
	ret = ret
		  ?: bench_register(host->mmio_bus, MINIVMM_BENCH_COALESCED_GPA,
				    MINIVMM_BENCH_MMIO_PAGE_SIZE, "bench-coalesced", &coalesced_ops,
				    dev, err);
	if (ret)
		return ret;
	bench_device_connect_kvm(host, dev);
	return 0;
}

int bench_device_counts(const struct device_table *devices, struct bench_counts *out)
{
	const struct device_entry *entry = device_table_find(devices, BENCH_DEVICE_NAME);
	if (!entry)
		return -ENOENT;
	struct bench_device *dev = entry->state;
	*out = (struct bench_counts){
	    .pio_writes = atomic_load(&dev->pio_writes),
	    .mmio_writes = atomic_load(&dev->mmio_writes),
	    .ioeventfd_pio = doorbell_signals(&dev->pio_doorbell),
	    .ioeventfd_mmio = doorbell_signals(&dev->mmio_doorbell),
	    .doorbell_pio_exits = atomic_load(&dev->pio_doorbell.userspace_hits),
	    .doorbell_mmio_exits = atomic_load(&dev->mmio_doorbell.userspace_hits),
	    .coalesced_writes = atomic_load(&dev->coalesced_writes),
	    .have_ioeventfd = dev->pio_doorbell.assigned && dev->mmio_doorbell.assigned,
	    .have_coalesced = dev->coalesced_registered,
	};
	return 0;
}

const struct device_module bench_device_module = {BENCH_DEVICE_NAME, bench_device_attach};
