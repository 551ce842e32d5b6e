/* SPDX-License-Identifier: MIT */
/* The exit decoder (vmm/machine/exit_dispatch.c) fed made-up exits, as Firecracker tests its
 * handle_kvm_exit (exit_dispatch_fixture.h): port I/O writes and reads, `rep` counts, data spans
 * that do not fit the mapping, --strict-io, and the exits that end the run. MMIO and the
 * coalesced ring are test_exit_dispatch_mmio.c's. */
#include <linux/kvm.h>
#include <string.h>

#include "exit_dispatch_fixture.h"
#include "machine/exit_dispatch.h"
#include "machine/vm.h"
#include "test_check_main.h"
#include "trace/exit_record.h"

static uint8_t *pio_data(void)
{
	return (uint8_t *)run + PIO_DATA;
}

static void pio_exit(uint16_t port, uint8_t size, uint32_t count, bool out)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = PIO_DATA;
}

/* ---- port I/O ---- */

START_TEST(test_pio_write_reaches_the_device)
{
	pio_exit(FAKE_PORT + 2, 2, 1, true);
	pio_data()[0] = 0x34;
	pio_data()[1] = 0x12;
	struct exit_record rec = dispatch();
	ck_assert_uint_eq(pio_dev.writes, 1);
	ck_assert_uint_eq(pio_dev.reads, 0);
	ck_assert_uint_eq(pio_dev.last_offset, 2);
	ck_assert_uint_eq(pio_dev.last_len, 2);
	ck_assert_uint_eq(pio_dev.written_len, 2);
	ck_assert_mem_eq(pio_dev.written, "\x34\x12", 2);
	ck_assert_uint_eq(rec.kvm_reason, KVM_EXIT_IO);
	ck_assert_uint_eq(rec.addr, FAKE_PORT + 2);
	ck_assert_uint_eq(rec.size, 2);
	ck_assert_uint_eq(rec.count, 1);
	ck_assert_uint_eq(rec.data, 0x1234);
	ck_assert_str_eq(rec.device, "fake-pio");
	ck_assert_uint_eq(rec.flags, EXIT_RECORD_WRITE);
	ck_assert(!stop_requested(&vm.stop));
	ck_assert_uint_eq(vcpu->unclaimed_io, 0);
}
END_TEST

START_TEST(test_pio_read_is_answered_in_kvm_run)
{
	memset(pio_data(), 0xee, 8);
	pio_exit(FAKE_PORT, 4, 1, false);
	struct exit_record rec = dispatch();
	ck_assert_uint_eq(pio_dev.reads, 1);
	ck_assert_uint_eq(pio_dev.writes, 0);
	ck_assert_uint_eq(pio_dev.last_len, 4);
	ck_assert_mem_eq(pio_data(), "\xa0\xa1\xa2\xa3\xee", 5); /* 4 bytes, not one more */
	ck_assert_uint_eq(rec.data, 0xa3a2a1a0);
	ck_assert_uint_eq(rec.flags, 0);
	ck_assert(!stop_requested(&vm.stop));
}
END_TEST

/* `rep outsb` with count 5: five accesses, each with the next item of the data span. */
START_TEST(test_rep_outs_hands_on_every_item)
{
	pio_exit(FAKE_PORT, 1, 5, true);
	memcpy(pio_data(), "hello", 5);
	struct exit_record rec = dispatch();
	ck_assert_uint_eq(pio_dev.writes, 5);
	ck_assert_uint_eq(pio_dev.written_len, 5);
	ck_assert_mem_eq(pio_dev.written, "hello", 5);
	ck_assert_uint_eq(rec.count, 5);
	ck_assert_uint_eq(rec.data, 'h'); /* the record keeps the first item */
}
END_TEST

/* `rep insw` with count 3: three reads fill three consecutive items. */
START_TEST(test_rep_ins_fills_every_item)
{
	memset(pio_data(), 0xee, 8);
	pio_exit(FAKE_PORT + 4, 2, 3, false);
	dispatch();
	ck_assert_uint_eq(pio_dev.reads, 3);
	ck_assert_uint_eq(pio_dev.last_offset, 4);
	ck_assert_mem_eq(pio_data(), "\xa0\xa1\xa2\xa3\xa4\xa5\xee", 7);
}
END_TEST

/* Data spans KVM could never give: each must stop the run before any byte is read or written
 * (the device never sees an access). The last one fits exactly and must be served. */
static const struct {
	uint8_t size;
	uint32_t count;
	uint64_t offset;
	bool served;
} spans[] = {
    {4, 1, RUN_SIZE - 2, false},			 /* runs 2 bytes past the end */
    {4, (RUN_SIZE - PIO_DATA) / 4 + 1, PIO_DATA, false}, /* a rep one item too long */
    {4, 0x80000000u, PIO_DATA, false},			 /* size * count needs 64 bits */
    {1, 1, RUN_SIZE + 1, false},			 /* offset outside the mapping */
    {0, 1, PIO_DATA, false},				 /* no such width */
    {8, 1, PIO_DATA, false},				 /* port I/O is at most 4 bytes */
    {4, 1, RUN_SIZE - 4, true},				 /* the last 4 bytes: fits */
    {2, (RUN_SIZE - PIO_DATA) / 2, PIO_DATA, true},	 /* a rep up to the end: fits */
};

START_TEST(test_pio_span_past_the_mapping_is_refused)
{
	for (int out = 0; out < 2; out++) {
		teardown();
		setup();
		pio_exit(FAKE_PORT, spans[_i].size, spans[_i].count, out);
		run->io.data_offset = spans[_i].offset;
		dispatch();
		if (spans[_i].served) {
			ck_assert_uint_eq(pio_dev.reads + pio_dev.writes, spans[_i].count);
			ck_assert(!stop_requested(&vm.stop));
			continue;
		}
		ck_assert_uint_eq(pio_dev.reads + pio_dev.writes, 0);
		ck_assert_uint_eq(vm.pio_bus.unclaimed_reads + vm.pio_bus.unclaimed_writes, 0);
		assert_stopped(STOP_VMM_ERROR, VMM_EXIT_INTERNAL, "malformed KVM_EXIT_IO");
	}
}
END_TEST

START_TEST(test_strict_io_stops_on_an_unclaimed_port)
{
	vm.cfg.strict_io = true;
	pio_exit(0x80, 1, 4, true); /* rep outsb of 4 to a port nobody decodes */
	memcpy(pio_data(), "\x5a\x5b\x5c\x5d", 4);
	struct exit_record rec = dispatch();
	assert_stopped(STOP_STRICT_IO, VMM_EXIT_STRICT_IO, "access to unclaimed I/O (--strict-io)");
	ck_assert_str_eq(vcpu->report.detail, "port write of 1 byte at 0x80, value 0x5a: no device "
					      "decodes this address");
	ck_assert_uint_eq(vm.pio_bus.unclaimed_writes, 1); /* stopped at the first item */
	ck_assert_uint_eq(vcpu->unclaimed_io, 1);
	ck_assert_ptr_null(rec.device);
	ck_assert_uint_eq(rec.flags, EXIT_RECORD_WRITE | EXIT_RECORD_UNCLAIMED);
}
END_TEST

START_TEST(test_unclaimed_port_reads_all_ones_without_strict_io)
{
	memset(pio_data(), 0, 8);
	pio_exit(0x80, 2, 3, false);
	struct exit_record rec = dispatch();
	ck_assert(!stop_requested(&vm.stop));
	ck_assert_mem_eq(pio_data(), "\xff\xff\xff\xff\xff\xff\x00", 7);
	ck_assert_uint_eq(vcpu->unclaimed_io, 3);
	ck_assert_uint_eq(vm.pio_bus.unclaimed_reads, 3);
	ck_assert_str_eq(vcpu->first_unclaimed, "port read 0x80 (2 bytes)");
	ck_assert_uint_eq(rec.flags, EXIT_RECORD_UNCLAIMED);
}
END_TEST

/* ---- exits that end the run ---- */

static const struct {
	uint32_t reason;
	int status;
	const char *what;
} fatal[] = {
    {KVM_EXIT_SHUTDOWN, VMM_EXIT_GUEST_TRIPLE_FAULT, "triple fault (KVM_EXIT_SHUTDOWN)"},
    {KVM_EXIT_FAIL_ENTRY, VMM_EXIT_GUEST_ENTRY_FAILED, "VM entry failed (KVM_EXIT_FAIL_ENTRY)"},
    {KVM_EXIT_INTERNAL_ERROR, VMM_EXIT_GUEST_EMULATION,
     "KVM internal error (KVM_EXIT_INTERNAL_ERROR)"},
    {KVM_EXIT_HLT, VMM_EXIT_GUEST_HALTED, "guest halted (KVM_EXIT_HLT)"}, /* the BSP's */
    {KVM_EXIT_DEBUG, VMM_EXIT_GUEST_UNKNOWN_EXIT, "unexpected VM exit"},
    {0xdead, VMM_EXIT_GUEST_UNKNOWN_EXIT, "unexpected VM exit"},
};

START_TEST(test_fatal_exits_stop_with_their_status)
{
	run->exit_reason = fatal[_i].reason;
	struct exit_record rec = dispatch();
	ck_assert_uint_eq(rec.kvm_reason, fatal[_i].reason);
	assert_stopped(STOP_GUEST_FAULT, fatal[_i].status, fatal[_i].what);
	ck_assert(!vcpu->report.has_regs); /* no KVM behind fd -1 */
}
END_TEST

START_TEST(test_unknown_exit_names_its_reason)
{
	run->exit_reason = 0xdead;
	dispatch();
	ck_assert_str_eq(vcpu->report.detail, "exit reason 57005 is not handled by minivmm");
	ck_assert_uint_eq(pio_dev.reads + pio_dev.writes + mmio_dev.reads + mmio_dev.writes, 0);
}
END_TEST

/* An application processor's HLT without an irqchip parks it instead (until the stop request,
 * which is already up here, or a reboot): no report, and the first stop's reason stays. */
START_TEST(test_ap_hlt_parks_instead_of_stopping)
{
	vcpu->index = 1;
	stop_request_raise(&vm.stop, STOP_TIMEOUT, VMM_EXIT_TIMEOUT);
	run->exit_reason = KVM_EXIT_HLT;
	dispatch();
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_TIMEOUT);
	ck_assert(!vcpu->report.valid);
}
END_TEST

static Suite *exit_dispatch_suite(void)
{
	Suite *s = suite_create("exit_dispatch");
	TCase *pio = tcase_create("pio");
	tcase_add_checked_fixture(pio, setup, teardown);
	tcase_add_test(pio, test_pio_write_reaches_the_device);
	tcase_add_test(pio, test_pio_read_is_answered_in_kvm_run);
	tcase_add_test(pio, test_rep_outs_hands_on_every_item);
	tcase_add_test(pio, test_rep_ins_fills_every_item);
	tcase_add_loop_test(pio, test_pio_span_past_the_mapping_is_refused, 0,
			    sizeof spans / sizeof spans[0]);
	tcase_add_test(pio, test_strict_io_stops_on_an_unclaimed_port);
	tcase_add_test(pio, test_unclaimed_port_reads_all_ones_without_strict_io);
	suite_add_tcase(s, pio);
	TCase *other = tcase_create("other");
	tcase_add_checked_fixture(other, setup, teardown);
	tcase_add_loop_test(other, test_fatal_exits_stop_with_their_status, 0,
			    sizeof fatal / sizeof fatal[0]);
	tcase_add_test(other, test_unknown_exit_names_its_reason);
	tcase_add_test(other, test_ap_hlt_parks_instead_of_stopping);
	suite_add_tcase(s, other);
	return s;
}

CHECK_MAIN(exit_dispatch_suite)
