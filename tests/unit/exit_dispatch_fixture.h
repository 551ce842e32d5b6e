/* SPDX-License-Identifier: MIT */
/*
 * What test_exit_dispatch.c and test_exit_dispatch_mmio.c share: a VM without KVM, a vCPU whose
 * kvm_run is calloc'd at the size KVM maps, a fake device on each bus that records what reaches
 * it, one exit handed to exit_dispatch() and the check of the stop it raised. Each test program
 * gets its own copy (static).
 */
#ifndef MINIVMM_TEST_EXIT_DISPATCH_FIXTURE_H
#define MINIVMM_TEST_EXIT_DISPATCH_FIXTURE_H

#include <check.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine/exit_dispatch.h"
#include "machine/vm.h"
#include "trace/exit_record.h"

/* KVM_GET_VCPU_MMAP_SIZE on x86: the kvm_run page, the PIO data page (KVM_PIO_PAGE_OFFSET 1)
 * and the coalesced MMIO ring page (KVM_COALESCED_MMIO_PAGE_OFFSET 2); virt/kvm/kvm_main.c. */
#define PAGE	      4096u
#define RUN_SIZE      (3 * PAGE)
#define PIO_DATA      (KVM_PIO_PAGE_OFFSET * PAGE) /* where KVM puts a port access's data */
#define FAKE_PORT     0x1230
#define FAKE_GPA      0xd0000000ull
#define UNCLAIMED_GPA 0xc0000000ull

/* What reached the fake device, in order. */
struct fake_device {
	unsigned reads, writes;
	uint64_t last_offset;
	uint32_t last_len;
	uint8_t written[64];
	unsigned written_len;
	uint8_t next_read; /* a read returns next_read, next_read + 1, ... */
};

static inline void fake_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct fake_device *d = opaque;
	d->reads++;
	d->last_offset = offset;
	d->last_len = len;
	for (uint32_t i = 0; i < len; i++)
		data[i] = d->next_read++;
}

static inline void fake_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct fake_device *d = opaque;
	d->writes++;
	d->last_offset = offset;
	d->last_len = len;
	for (uint32_t i = 0; i < len && d->written_len < sizeof d->written; i++)
		d->written[d->written_len++] = data[i];
}

static const struct bus_device_ops fake_ops = {fake_read, fake_write};

static struct vm vm;
static struct vcpu *vcpu;
static struct kvm_run *run;
static struct fake_device pio_dev, mmio_dev;

static inline void setup(void)
{
	vm_init_without_kvm(&vm);
	memset(&pio_dev, 0, sizeof pio_dev);
	memset(&mmio_dev, 0, sizeof mmio_dev);
	pio_dev.next_read = 0xa0;
	mmio_dev.next_read = 0x10;
	ck_assert_int_eq(bus_register(&vm.pio_bus, FAKE_PORT, 8, "fake-pio", &fake_ops, &pio_dev),
			 0);
	ck_assert_int_eq(
	    bus_register(&vm.mmio_bus, FAKE_GPA, 0x1000, "fake-mmio", &fake_ops, &mmio_dev), 0);
	run = calloc(1, RUN_SIZE);
	ck_assert_ptr_nonnull(run);
	/* Not counted in vm.vcpu_count: vm_destroy() must not munmap a calloc'd kvm_run. */
	vcpu = &vm.vcpus[0];
	memset(vcpu, 0, sizeof *vcpu);
	vcpu->vm = &vm;
	vcpu->fd = -1; /* the fault report's KVM_GET_REGS fails: "registers unavailable" */
	vcpu->run = run;
	vcpu->run_size = RUN_SIZE;
}

static inline void teardown(void)
{
	free(run);
	vm_destroy(&vm);
}

static inline struct exit_record dispatch(void)
{
	struct exit_record rec;
	memset(&rec, 0, sizeof rec);
	exit_dispatch(vcpu, &rec);
	return rec;
}

static inline void assert_stopped(enum stop_reason reason, int status, const char *what)
{
	ck_assert_int_eq(atomic_load(&vm.stop.reason), reason);
	ck_assert_int_eq(vm.stop.status, status);
	ck_assert(vcpu->report.valid);
	ck_assert_str_eq(vcpu->report.what, what);
}

#endif
