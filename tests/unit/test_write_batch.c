/* SPDX-License-Identifier: MIT */
/* Batched writes (vmm/machine/write_batch.c): KVM's coalesced ring is the VM's, and a vCPU
 * before its exits and the main thread on its timer both drain it. Here a producer thread plays
 * KVM, appending numbered port writes to a ring page, while a "vCPU" thread and the main thread
 * drain it at once: each write must reach its device exactly once, in the order written. Also:
 * a VM without KVM, or with --no-write-batching, batches nothing. */
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine/exit_dispatch.h"
#include "machine/vm.h"
#include "machine/write_batch.h"
#include "test_check_main.h"

#define PAGE	  4096u
#define RUN_SIZE  (3 * PAGE) /* kvm_run, PIO data, coalesced ring (virt/kvm/kvm_main.c) */
#define FAKE_PORT 0x1230
#define WRITES	  50000u

/* Checks the order itself: a write out of turn, or twice, is counted as wrong. */
struct numbered_device {
	uint32_t expected;
	atomic_uint wrong;
};

static void numbered_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	(void)opaque;
	(void)offset;
	memset(data, 0, len);
}

static void numbered_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct numbered_device *d = opaque;
	uint32_t n;
	if (offset != 0 || len != sizeof n) {
		atomic_fetch_add(&d->wrong, 1);
		return;
	}
	memcpy(&n, data, sizeof n);
	/* A device's work takes time: without the ring's lock another consumer would take the
	 * same entry meanwhile (~1 us here keeps that window open). */
	for (volatile unsigned spin = 0; spin < 300; spin++)
		;
	if (n != d->expected)
		atomic_fetch_add(&d->wrong, 1);
	d->expected = n + 1;
}

static const struct bus_device_ops numbered_ops = {numbered_read, numbered_write};

static struct vm vm;
static struct kvm_run *run;
static struct numbered_device device;
static atomic_bool produced_all;

/* KVM's side (virt/kvm/coalesced_mmio.c): fill the slot at `last`, then publish it; a full
 * ring (one slot kept free) waits for the consumers. */
static void *play_kvm(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_coalesced_mmio_ring *ring = v->coalesced_ring;
	for (uint32_t n = 0; n < WRITES; n++) {
		uint32_t last = ring->last;
		while ((last + 1) % v->coalesced_slots ==
		       __atomic_load_n(&ring->first, __ATOMIC_ACQUIRE))
			sched_yield(); /* on one CPU (taskset -c 0) the consumers must get to run */
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[last];
		e->phys_addr = FAKE_PORT;
		e->len = sizeof n;
		e->pio = 1;
		memcpy(e->data, &n, sizeof n);
		__atomic_store_n(&ring->last, (last + 1) % v->coalesced_slots, __ATOMIC_RELEASE);
	}
	atomic_store(&produced_all, true);
	return NULL;
}

static bool ring_empty(const struct vcpu *v)
{
	return v->coalesced_ring->first ==
	       __atomic_load_n(&v->coalesced_ring->last, __ATOMIC_ACQUIRE);
}

static void *drain_as_vcpu(void *arg)
{
	struct vcpu *v = arg;
	while (!atomic_load(&produced_all) || !ring_empty(v)) {
		if (ring_empty(v))
			sched_yield(); /* nothing to take: let the producer run (one CPU) */
		exit_drain_coalesced(v);
	}
	return NULL;
}

static void setup(void)
{
	vm_init_without_kvm(&vm);
	memset(&device, 0, sizeof device);
	atomic_store(&produced_all, false);
	ck_assert_int_eq(
	    bus_register(&vm.pio_bus, FAKE_PORT, 4, "numbered", &numbered_ops, &device), 0);
	run = calloc(1, RUN_SIZE);
	ck_assert_ptr_nonnull(run);
	struct vcpu *v = &vm.vcpus[0];
	memset(v, 0, sizeof *v);
	v->vm = &vm;
	v->fd = -1;
	v->run = run;
	v->run_size = RUN_SIZE;
	vcpu_use_coalesced_ring(v, (uint8_t *)run + KVM_COALESCED_MMIO_PAGE_OFFSET * PAGE, PAGE);
	vm.vcpu_count = 1; /* for vm_drain_batched_writes(); back to 0 before vm_destroy() */
}

static void teardown(void)
{
	vm.vcpu_count = 0; /* the kvm_run is calloc'd, not KVM's mapping */
	free(run);
	vm_destroy(&vm);
}

START_TEST(test_two_consumers_each_write_once_in_order)
{
	struct vcpu *v = &vm.vcpus[0];
	pthread_t producer, vcpu_thread;
	ck_assert_int_eq(pthread_create(&producer, NULL, play_kvm, v), 0);
	ck_assert_int_eq(pthread_create(&vcpu_thread, NULL, drain_as_vcpu, v), 0);
	while (!atomic_load(&produced_all) || !ring_empty(v)) { /* the main thread's timer */
		if (ring_empty(v))
			sched_yield();
		vm_drain_batched_writes(&vm);
	}
	pthread_join(producer, NULL);
	pthread_join(vcpu_thread, NULL);
	unsigned out_of_turn = atomic_load(&device.wrong);
	ck_assert_uint_eq(out_of_turn, 0);
	ck_assert_uint_eq(device.expected, WRITES);
	ck_assert_uint_eq(vm.batch_drained, WRITES);
}
END_TEST

static void *drain_once(void *arg)
{
	exit_drain_coalesced(arg);
	return NULL;
}

/* The deterministic half of the test above: while another consumer holds the ring, a drain
 * waits, and takes every entry once it is free. */
START_TEST(test_a_drain_waits_for_the_other_consumer)
{
	struct vcpu *v = &vm.vcpus[0];
	struct kvm_coalesced_mmio_ring *ring = v->coalesced_ring;
	for (uint32_t n = 0; n < 3; n++) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[n];
		e->phys_addr = FAKE_PORT;
		e->len = sizeof n;
		e->pio = 1;
		memcpy(e->data, &n, sizeof n);
	}
	ring->last = 3;
	pthread_mutex_lock(&vm.batch_lock); /* the main thread's timer, mid-drain */
	pthread_t vcpu_thread;
	ck_assert_int_eq(pthread_create(&vcpu_thread, NULL, drain_once, v), 0);
	nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
	ck_assert_uint_eq(device.expected, 0);
	ck_assert_uint_eq(ring->first, 0);
	pthread_mutex_unlock(&vm.batch_lock);
	pthread_join(vcpu_thread, NULL);
	ck_assert_uint_eq(device.expected, 3);
	ck_assert_uint_eq(ring->first, 3);
}
END_TEST

/* The main thread's drain timer: fast while writes come (whoever handed them on), slow after a
 * quiet second, fast again at the next write. */
START_TEST(test_drain_pace_slows_when_quiet)
{
	const double fast = VM_BATCH_DRAIN_MS / 1000.0, slow = VM_BATCH_IDLE_DRAIN_MS / 1000.0;
	const double quiet = VM_BATCH_QUIET_MS / 1000.0;
	struct write_batch_pace pace;
	write_batch_pace_start(&pace, &vm, 100.0);
	ck_assert_double_eq(write_batch_pace_next(&pace, &vm, 100.0 + quiet / 2), fast);
	ck_assert_double_eq(write_batch_pace_next(&pace, &vm, 100.0 + quiet), slow);
	vm.batch_drained = 7; /* a vCPU handed writes on at an exit */
	ck_assert_double_eq(write_batch_pace_next(&pace, &vm, 200.0), fast);
	ck_assert_double_eq(write_batch_pace_next(&pace, &vm, 200.0 + quiet * 0.99), fast);
	ck_assert_double_eq(write_batch_pace_next(&pace, &vm, 200.0 + quiet * 1.01), slow);
}
END_TEST

START_TEST(test_nothing_batched_without_kvm_or_when_refused)
{
	ck_assert_int_eq(vm_batch_writes(&vm, FAKE_PORT, 1, true), -ENOTSUP); /* no VM fd */
	vm.cfg.no_write_batching = true;
	ck_assert_int_eq(vm_batch_writes(&vm, FAKE_PORT, 1, true), -ENOTSUP);
	ck_assert(!vm.batching);
	vm_drain_batched_writes(&vm); /* an empty ring: nothing reaches the device */
	ck_assert_uint_eq(device.expected, 0);
}
END_TEST

static Suite *write_batch_suite(void)
{
	Suite *s = suite_create("write_batch");
	TCase *tc = tcase_create("ring");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120); /* for a hang only: 50000 writes take ~0.1 s, ~1 s on one CPU */
	tcase_add_test(tc, test_two_consumers_each_write_once_in_order);
	tcase_add_test(tc, test_a_drain_waits_for_the_other_consumer);
	tcase_add_test(tc, test_drain_pace_slows_when_quiet);
	tcase_add_test(tc, test_nothing_batched_without_kvm_or_when_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(write_batch_suite)
