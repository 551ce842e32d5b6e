/* SPDX-License-Identifier: MIT */
/* The exit decoder (vmm/machine/exit_dispatch.c) fed made-up exits, as Firecracker tests its
 * handle_kvm_exit: a VM without KVM, a vCPU whose kvm_run is calloc'd at the size KVM maps, and
 * a fake device on each bus that records what reaches it. PIO writes and reads, `rep` counts,
 * data spans that do not fit the mapping, --strict-io, MMIO of every width, the coalesced ring,
 * and the exits that end the run. */
#include <linux/kvm.h>
#include <string.h>

#include "machine/exit_dispatch.h"
#include "machine/vm.h"
#include "test_check_main.h"
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

static void fake_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct fake_device *d = opaque;
	d->reads++;
	d->last_offset = offset;
	d->last_len = len;
	for (uint32_t i = 0; i < len; i++)
		data[i] = d->next_read++;
}

static void fake_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
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

static void setup(void)
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

static void teardown(void)
{
	free(run);
	vm_destroy(&vm);
}

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

static void mmio_exit(uint64_t gpa, uint32_t len, bool is_write)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = is_write;
}

static struct exit_record dispatch(void)
{
	struct exit_record rec;
	memset(&rec, 0, sizeof rec);
	exit_dispatch(vcpu, &rec);
	return rec;
}

static void assert_stopped(enum stop_reason reason, int status, const char *what)
{
	ck_assert_int_eq(atomic_load(&vm.stop.reason), reason);
	ck_assert_int_eq(vm.stop.status, status);
	ck_assert(vcpu->report.valid);
	ck_assert_str_eq(vcpu->report.what, what);
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

/* Writes KVM batched in the coalesced ring reach the buses in ring order, and the ring is
 * consumed. */
START_TEST(test_coalesced_ring_drained_in_order)
{
	struct kvm_coalesced_mmio_ring *ring =
	    (void *)((uint8_t *)run + KVM_COALESCED_MMIO_PAGE_OFFSET * PAGE);
	vcpu->coalesced_ring = ring;
	vcpu->coalesced_slots =
	    (uint32_t)((PAGE - sizeof *ring) / sizeof(struct kvm_coalesced_mmio));
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
	struct kvm_coalesced_mmio_ring *ring =
	    (void *)((uint8_t *)run + KVM_COALESCED_MMIO_PAGE_OFFSET * PAGE);
	vcpu->coalesced_ring = ring;
	vcpu->coalesced_slots =
	    (uint32_t)((PAGE - sizeof *ring) / sizeof(struct kvm_coalesced_mmio));
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
	TCase *mmio = tcase_create("mmio");
	tcase_add_checked_fixture(mmio, setup, teardown);
	tcase_add_loop_test(mmio, test_mmio_write_of_each_width, 0, 4);
	tcase_add_loop_test(mmio, test_mmio_read_of_each_width, 0, 4);
	tcase_add_test(mmio, test_mmio_length_outside_1_to_8_is_refused);
	tcase_add_test(mmio, test_unclaimed_mmio_read_is_all_ones);
	tcase_add_test(mmio, test_coalesced_ring_drained_in_order);
	tcase_add_test(mmio, test_exit_dispatch_drains_the_ring_first);
	suite_add_tcase(s, mmio);
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
