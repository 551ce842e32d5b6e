/* SPDX-License-Identifier: MIT */
/* The virtio-mmio transport with the virtio-rng device, driven through the MMIO bus as the run
 * loop would, in a VM without KVM (so QueueNotify is served on the calling thread): register
 * semantics, feature negotiation, a request, hostile requests -> DEVICE_NEEDS_RESET, reset. */
#include <string.h>

#include "devices/devices.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"
#include "virtio/virtio_mmio.h"
#include "virtio/virtio_mmio_internal.h" /* the write-only queue registers, after a reset */

#define BASE	  MINIVMM_VIRTIO_RNG_GPA
#define RAM_SIZE  (4ull << 20)
#define DESC_GPA  0x100000ull
#define AVAIL_GPA 0x101000ull
#define USED_GPA  0x102000ull
#define BUF_GPA	  0x110000ull
#define QSIZE	  16

static struct vm vm;

static void setup(void)
{
	vm_init_without_kvm(&vm);
	struct vmm_error err;
	ck_assert_int_eq(guest_mem_init(&vm.mem, RAM_SIZE, &err), 0);
	ck_assert_int_eq(vm_attach_device(&vm, &virtio_rng_module, &err), 0);
}

static void teardown(void)
{
	vm_destroy(&vm); /* the devices, then guest RAM */
}

static void wr(uint32_t reg, uint32_t value)
{
	uint8_t data[4];
	memcpy(data, &value, 4);
	ck_assert_ptr_nonnull(bus_access(&vm.mmio_bus, BASE + reg, data, 4, true));
}

static uint32_t rd(uint32_t reg)
{
	uint8_t data[4];
	uint32_t value;
	ck_assert_ptr_nonnull(bus_access(&vm.mmio_bus, BASE + reg, data, 4, false));
	memcpy(&value, data, 4);
	return value;
}

static void *at(uint64_t gpa)
{
	return guest_mem_gpa_to_hva(&vm.mem, gpa, 1);
}

static void negotiate(uint32_t features_high)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, features_high);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

static void setup_queue(uint64_t desc, uint64_t avail, uint64_t used, uint32_t num)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void driver_ok(void)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void live_device(void)
{
	negotiate(1);
	setup_queue(DESC_GPA, AVAIL_GPA, USED_GPA, QSIZE);
	driver_ok();
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = (uint8_t *)at(DESC_GPA) + 16 * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void post(uint16_t head)
{
	uint16_t *avail = at(AVAIL_GPA);
	avail[2 + avail[1] % QSIZE] = head;
	avail[1]++;
}

static uint16_t used_idx(void)
{
	return ((uint16_t *)at(USED_GPA))[1];
}

START_TEST(test_identification)
{
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION), 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), 4);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1); /* virtio-rng has one queue */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG), 0); /* no config space */
	/* 4.2.2.2: only aligned 32-bit register accesses count. */
	uint8_t byte = 0xff;
	ck_assert_ptr_nonnull(bus_access(&vm.mmio_bus, BASE, &byte, 1, false));
	ck_assert_uint_eq(byte, 0);
}
END_TEST

START_TEST(test_features)
{
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VIRTIO_F_VERSION_1 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 7);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	negotiate(0); /* a legacy driver: no VERSION_1 */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
	negotiate(1 | 2); /* a bit the device never offered */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
	negotiate(1);
	ck_assert_uint_ne(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
}
END_TEST

START_TEST(test_good_request)
{
	live_device();
	set_desc(0, BUF_GPA, 4096, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUF_GPA + 4096, 100, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used_idx(), 1);
	uint32_t *elem = (uint32_t *)((uint8_t *)at(USED_GPA) + 4);
	ck_assert_uint_eq(elem[0], 0);
	ck_assert_uint_eq(elem[1], 4196);
	static const uint8_t zeros[64];
	ck_assert(memcmp(at(BUF_GPA), zeros, sizeof zeros) != 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	struct virtio_mmio_counts c;
	virtio_mmio_counts(virtio_mmio_find(&vm.devices, "virtio-rng"), &c);
	ck_assert_uint_eq(c.chains, 1);
	ck_assert_uint_eq(c.bytes_written, 4196);
	ck_assert_uint_eq(c.notifies, 1);
	ck_assert(!c.have_ioeventfd && !c.have_irqfd);
}
END_TEST

START_TEST(test_nothing_used_before_driver_ok)
{
	negotiate(1);
	setup_queue(DESC_GPA, AVAIL_GPA, USED_GPA, QSIZE);
	set_desc(0, BUF_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used_idx(), 0);
	driver_ok(); /* 3.1.1: now the device may use it */
	ck_assert_uint_eq(used_idx(), 1);
}
END_TEST

START_TEST(test_queue_registers_frozen_while_ready)
{
	live_device();
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x200000);
	wr(VIRTIO_MMIO_QUEUE_NUM, 2);
	set_desc(0, BUF_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used_idx(), 1); /* the old table and size are still in use */
}
END_TEST

/* A hostile chain: NEEDS_RESET and the config interrupt, nothing used; then a reset clears all
 * of it and the device serves an honest request again. */
static void check_refused_then_reset(void)
{
	ck_assert_uint_ne(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
	ck_assert_uint_ne(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, 0);
	ck_assert_uint_eq(used_idx(), 0);
	/* The driver cannot clear the bit by itself, only by a reset. */
	driver_ok();
	ck_assert_uint_ne(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET, 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	memset(at(DESC_GPA), 0, 0x3000);
	live_device();
	set_desc(0, BUF_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used_idx(), 1);
}

START_TEST(test_bad_chains_need_reset)
{
	enum { OUTSIDE, WRAPS, LOOP, NEXT, HEAD, INDIRECT, ORDER, KINDS };
	for (int kind = 0; kind < KINDS; kind++) {
		setup();
		live_device();
		uint16_t head = 0;
		switch (kind) {
		case OUTSIDE:
			set_desc(0, RAM_SIZE - 8, 16, VIRTQ_DESC_F_WRITE, 0);
			break;
		case WRAPS:
			set_desc(0, ~0ull - 10, 64, VIRTQ_DESC_F_WRITE, 0);
			break;
		case LOOP:
			set_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
			set_desc(1, BUF_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
			break;
		case NEXT:
			set_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_NEXT, 999);
			break;
		case HEAD:
			head = 999;
			break;
		case INDIRECT:
			set_desc(0, BUF_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
			break;
		case ORDER:
			set_desc(0, BUF_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
			set_desc(1, BUF_GPA, 8, 0, 0);
			break;
		}
		post(head);
		wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		check_refused_then_reset();
		teardown();
	}
}
END_TEST

START_TEST(test_bad_rings_need_reset)
{
	negotiate(1);
	setup_queue(RAM_SIZE - 16, AVAIL_GPA, USED_GPA, QSIZE);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	check_refused_then_reset();
}
END_TEST

START_TEST(test_reset_clears_state)
{
	live_device();
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	/* Features were forgotten too: FEATURES_OK without writing them again fails. */
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
}
END_TEST

/* A guest reset of the whole machine (device_table_reset_all, as reboot.c calls it) is a Device
 * Reset (2.4) even though the driver never wrote Status = 0: the old boot's live queue is forgotten
 * and a buffer posted on its ring afterwards is not touched. */
START_TEST(test_machine_reset_is_a_device_reset)
{
	live_device();
	set_desc(0, BUF_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used_idx(), 1);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 3);

	device_table_reset_all(&vm.devices);

	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0); /* selector back to word 0 */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 256); /* QueueSel back to queue 0 */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	/* Size and addresses are write-only registers: look at the transport itself. */
	const struct virtio_mmio *t = virtio_mmio_find(&vm.devices, "virtio-rng");
	ck_assert_uint_eq(t->queues[0].num, 0);
	ck_assert_uint_eq(t->queues[0].desc_gpa, 0);
	ck_assert_uint_eq(t->queues[0].avail_gpa, 0);
	ck_assert_uint_eq(t->queues[0].used_gpa, 0);
	ck_assert_uint_eq(t->driver_features, 0);
	/* No DMA into the old rings: a chain posted there is left alone, even at DRIVER_OK. */
	set_desc(1, BUF_GPA + 4096, 64, VIRTQ_DESC_F_WRITE, 0);
	memset(at(BUF_GPA + 4096), 0, 64);
	post(1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	driver_ok();
	ck_assert_uint_eq(used_idx(), 1);
	static const uint8_t zeros[64];
	ck_assert_mem_eq(at(BUF_GPA + 4096), zeros, sizeof zeros);
	/* A driver of the new boot sets it up from scratch and is served. */
	memset(at(DESC_GPA), 0, 0x3000);
	wr(VIRTIO_MMIO_STATUS, 0);
	live_device();
	set_desc(0, BUF_GPA, 64, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	ck_assert_uint_eq(used_idx(), 1);
}
END_TEST

static Suite *virtio_mmio_suite(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *tc = tcase_create("transport");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_identification);
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_good_request);
	tcase_add_test(tc, test_nothing_used_before_driver_ok);
	tcase_add_test(tc, test_queue_registers_frozen_while_ready);
	tcase_add_test(tc, test_bad_rings_need_reset);
	tcase_add_test(tc, test_reset_clears_state);
	tcase_add_test(tc, test_machine_reset_is_a_device_reset);
	suite_add_tcase(s, tc);
	TCase *bad = tcase_create("hostile");
	tcase_add_test(bad, test_bad_chains_need_reset);
	suite_add_tcase(s, bad);
	return s;
}

CHECK_MAIN(virtio_mmio_suite)
