/* SPDX-License-Identifier: MIT */
/* The exit decoder (vmm/machine/exit_dispatch.c) fed made-up MMIO exits (exit_dispatch_fixture.h):
 * reads and writes of every width, lengths KVM could never give, unclaimed addresses, and the
 * coalesced MMIO ring drained in order before the exit. Port I/O and the exits that end the run
 * are test_exit_dispatch.c's. */
#include <linux/kvm.h>
#include <stdint.h>
#include <string.h>

#include "exit_dispatch_fixture.h"
#include "machine/exit_dispatch.h"
#include "machine/vm.h"
#include "test_check_main.h"
#include "trace/exit_record.h"

static void mmio_exit(uint64_t gpa, uint32_t len, bool is_write)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = is_write;
}

/* ---- MMIO ---- */

static const uint32_t widths[] = {1, 2, 4, 8};

START_TEST(test_mmio_write_of_each_width)
{
	uint32_t len = widths[_i];
	mmio_exit(FAKE_GPA + 0x10, len, true);
	memcpy(run->mmio.data, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	struct exit_record rec = dispatch();
	ck_assert_uint_eq(mmio_dev.writes, 1);
	ck_assert_uint_eq(mmio_dev.last_offset, 0x10);
	ck_assert_uint_eq(mmio_dev.last_len, len);
	ck_assert_uint_eq(mmio_dev.written_len, len);
	ck_assert_mem_eq(mmio_dev.written, "\x01\x02\x03\x04\x05\x06\x07\x08", len);
	ck_assert_uint_eq(rec.kvm_reason, KVM_EXIT_MMIO);
	ck_assert_uint_eq(rec.addr, FAKE_GPA + 0x10);
	ck_assert_uint_eq(rec.size, len);
	uint64_t expected = 0;
	memcpy(&expected, "\x01\x02\x03\x04\x05\x06\x07\x08", len);
	ck_assert_uint_eq(rec.data, expected);
	ck_assert_str_eq(rec.device, "fake-mmio");
	ck_assert_uint_eq(rec.flags, EXIT_RECORD_WRITE);
}
END_TEST

START_TEST(test_mmio_read_of_each_width)
{
	uint32_t len = widths[_i];
	mmio_exit(FAKE_GPA + 0x20, len, false);
	memset(run->mmio.data, 0xee, sizeof run->mmio.data);
	struct exit_record rec = dispatch();
	ck_assert_uint_eq(mmio_dev.reads, 1);
	ck_assert_uint_eq(mmio_dev.last_len, len);
	uint8_t expected[8];
	memset(expected, 0xee, 8);
	for (uint32_t i = 0; i < len; i++)
		expected[i] = (uint8_t)(0x10 + i);
	ck_assert_mem_eq(run->mmio.data, expected, 8); /* the bytes past len untouched */
	uint64_t value = 0;
	memcpy(&value, expected, len);
	ck_assert_uint_eq(rec.data, value);
	ck_assert_uint_eq(rec.flags, 0);
}
END_TEST

START_TEST(test_mmio_length_outside_1_to_8_is_refused)
{
	static const uint32_t bad[] = {0, 9, 0x80000000u};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		teardown();
		setup();
		mmio_exit(FAKE_GPA, bad[i], false);
		dispatch();
		ck_assert_uint_eq(mmio_dev.reads + mmio_dev.writes, 0);
		assert_stopped(STOP_VMM_ERROR, VMM_EXIT_INTERNAL, "malformed KVM_EXIT_MMIO");
	}
}
END_TEST

START_TEST(test_unclaimed_mmio_read_is_all_ones)
{
	mmio_exit(UNCLAIMED_GPA, 4, false);
	memset(run->mmio.data, 0, sizeof run->mmio.data);
	struct exit_record rec = dispatch();
	ck_assert_mem_eq(run->mmio.data, "\xff\xff\xff\xff\x00", 5);
	ck_assert_uint_eq(vcpu->unclaimed_io, 1);
	ck_assert_str_eq(vcpu->first_unclaimed, "MMIO read 0xc0000000 (4 bytes)");
	ck_assert_uint_eq(rec.flags, EXIT_RECORD_UNCLAIMED);
	ck_assert(!stop_requested(&vm.stop));
	vm.cfg.strict_io = true; /* the same access under --strict-io stops */
	dispatch();
	assert_stopped(STOP_STRICT_IO, VMM_EXIT_STRICT_IO, "access to unclaimed I/O (--strict-io)");
}
END_TEST

/* The vCPU's coalesced ring, where KVM puts it in the kvm_run mapping. */
static struct kvm_coalesced_mmio_ring *use_test_ring(void)
{
	vcpu_use_coalesced_ring(vcpu, (uint8_t *)run + KVM_COALESCED_MMIO_PAGE_OFFSET * PAGE, PAGE);
	return vcpu->coalesced_ring;
}

/* Writes KVM batched in the coalesced ring reach the buses in ring order, and the ring is
 * consumed. */
START_TEST(test_coalesced_ring_drained_in_order)
{
	struct kvm_coalesced_mmio_ring *ring = use_test_ring();
	const uint32_t first = vcpu->coalesced_slots - 1; /* the last three wrap around */
	for (uint32_t i = 0; i < 3; i++) {
		struct kvm_coalesced_mmio *e =
		    &ring->coalesced_mmio[(first + i) % vcpu->coalesced_slots];
		e->phys_addr = FAKE_GPA + i;
		e->len = 1;
		e->data[0] = (uint8_t)('a' + i);
	}
	ring->first = first;
	ring->last = (first + 3) % vcpu->coalesced_slots;
	exit_drain_coalesced(vcpu);
	ck_assert_uint_eq(mmio_dev.writes, 3);
	ck_assert_mem_eq(mmio_dev.written, "abc", 3);
	ck_assert_uint_eq(ring->first, ring->last);
	ck_assert_uint_eq(vm.batch_drained, 3);
}
END_TEST

/* exit_dispatch() drains the ring first: the batched writes happened before the exit. */
START_TEST(test_exit_dispatch_drains_the_ring_first)
{
	struct kvm_coalesced_mmio_ring *ring = use_test_ring();
	for (uint32_t i = 0; i < 2; i++) {
		ring->coalesced_mmio[i].phys_addr = FAKE_GPA + i;
		ring->coalesced_mmio[i].len = 1;
		ring->coalesced_mmio[i].data[0] = (uint8_t)('a' + i);
	}
	ring->first = 0;
	ring->last = 2;
	mmio_exit(FAKE_GPA + 2, 1, true);
	run->mmio.data[0] = 'c';
	dispatch();
	ck_assert_uint_eq(mmio_dev.writes, 3);
	ck_assert_mem_eq(mmio_dev.written, "abc", 3);
	ck_assert_uint_eq(ring->first, 2);
}
END_TEST

static Suite *exit_dispatch_mmio_suite(void)
{
	Suite *s = suite_create("exit_dispatch_mmio");
	TCase *mmio = tcase_create("mmio");
	tcase_add_checked_fixture(mmio, setup, teardown);
	tcase_add_loop_test(mmio, test_mmio_write_of_each_width, 0, 4);
	tcase_add_loop_test(mmio, test_mmio_read_of_each_width, 0, 4);
	tcase_add_test(mmio, test_mmio_length_outside_1_to_8_is_refused);
	tcase_add_test(mmio, test_unclaimed_mmio_read_is_all_ones);
	tcase_add_test(mmio, test_coalesced_ring_drained_in_order);
	tcase_add_test(mmio, test_exit_dispatch_drains_the_ring_first);
	suite_add_tcase(s, mmio);
	return s;
}

CHECK_MAIN(exit_dispatch_mmio_suite)
