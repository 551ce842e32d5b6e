/* SPDX-License-Identifier: MIT */
/* Each device's snapshot hooks (struct device_entry save/load, docs/snapshot.md): a VM without
 * KVM whose devices a guest dirtied through the buses is saved device by device into a second
 * one, which then reads back the same through the buses and saves the same bytes; lengths and
 * values a device cannot take are refused, leaving it as it was. */
#include <errno.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/uart8250.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "platform/pc_layout.h"
#include "test_check_main.h"
#include "virtio/virtio_mmio.h"

#define COM1	 MINIVMM_UART_COM1_PORT
#define VIRTIO	 MINIVMM_VIRTIO_RNG_GPA
#define RAM_SIZE (4ull << 20)
#define RING_GPA 0x100000ull
enum { RBR = 0, IER = 1, LCR = 3, SCR = 7 };

static struct vm saved_vm, restored_vm;

static void make_vm(struct vm *vm)
{
	struct vmm_error err;
	vm_init_without_kvm(vm);
	ck_assert_int_eq(guest_mem_init(&vm->mem, RAM_SIZE, &err), 0);
	struct device_host host;
	vm_device_host(vm, &host);
	ck_assert_int_eq(devices_attach_all(&host, &err), 0);
}

static void setup(void)
{
	make_vm(&saved_vm);
	make_vm(&restored_vm);
}

static void teardown(void)
{
	vm_destroy(&saved_vm);
	vm_destroy(&restored_vm);
}

static uint32_t bus_rw(struct bus *bus, uint64_t addr, uint32_t value, uint32_t len, bool write)
{
	uint8_t data[4];
	memcpy(data, &value, 4);
	ck_assert_ptr_nonnull(bus_access(bus, addr, data, len, write));
	memcpy(&value, data, 4);
	return value;
}

static void out8(struct vm *vm, uint16_t port, uint8_t v)
{
	bus_rw(&vm->pio_bus, port, v, 1, true);
}

static uint8_t in8(struct vm *vm, uint16_t port)
{
	return (uint8_t)bus_rw(&vm->pio_bus, port, 0, 1, false);
}

static void mmio_wr(struct vm *vm, uint64_t addr, uint32_t v)
{
	bus_rw(&vm->mmio_bus, addr, v, 4, true);
}

static uint32_t mmio_rd(struct vm *vm, uint64_t addr)
{
	return bus_rw(&vm->mmio_bus, addr, 0, 4, false);
}

/* What a guest leaves behind: UART registers and two received bytes, a CMOS RAM byte, the
 * 0xCF9 latch, bench counts, virtio-rng at DRIVER_OK with queue 0 ready. */
static void dirty(struct vm *vm)
{
	out8(vm, COM1 + LCR, 0x1b);
	out8(vm, COM1 + IER, 0x05);
	out8(vm, COM1 + SCR, 0x77);
	struct uart8250 *uart = device_table_find(&vm->devices, "uart8250")->state;
	ck_assert_uint_eq(uart8250_receive(uart, (const uint8_t *)"hi", 2), 2);
	out8(vm, 0x70, 0x20);
	out8(vm, 0x71, 0x42);
	out8(vm, PC_RESET_REG_PORT, 0x0a); /* SYS_RST and FULL_RST latched, no RST_CPU */
	for (int i = 0; i < 3; i++)
		out8(vm, MINIVMM_BENCH_PIO_PORT, 1);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_DRIVER_FEATURES, 1);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_STATUS,
		VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_QUEUE_NUM, 16);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)RING_GPA);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)RING_GPA + 0x1000);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)RING_GPA + 0x2000);
	mmio_wr(vm, VIRTIO + VIRTIO_MMIO_QUEUE_READY, 1);
}

static uint8_t saved[DEVICE_STATE_MAX], again[DEVICE_STATE_MAX];

START_TEST(test_every_device_carries_over)
{
	dirty(&saved_vm);
	unsigned with_state = 0, with_clock = 0;
	for (unsigned i = 0; i < saved_vm.devices.count; i++) {
		const struct device_entry *from = &saved_vm.devices.entries[i];
		const struct device_entry *to = &restored_vm.devices.entries[i];
		ck_assert_str_eq(from->name, to->name);
		ck_assert((from->save == NULL) == (from->load == NULL));
		ck_assert_msg(!from->reset || from->save,
			      "%s has a reset hook (guest state) but no snapshot hooks",
			      from->name);
		if (!from->save)
			continue;
		with_state++;
		size_t len = from->save(from->state, saved);
		ck_assert_uint_gt(len, 0);
		ck_assert_uint_le(len, DEVICE_STATE_MAX);
		ck_assert_int_eq(to->load(to->state, saved, len), 0);
		ck_assert_uint_eq(to->save(to->state, again), len);
		with_clock += from->has_clock;
		if (from->has_clock) { /* it runs on, never back */
			uint64_t before, after;
			ck_assert_uint_le(from->clock_offset + 8u, len);
			memcpy(&before, saved + from->clock_offset, 8);
			memcpy(&after, again + from->clock_offset, 8);
			ck_assert_uint_ge(after, before);
			memcpy(again + from->clock_offset, &before, 8);
		}
		ck_assert_msg(memcmp(saved, again, len) == 0, "%s saves other bytes after load",
			      from->name);
	}
	/* UART, RTC, reset latch, bench, virtio-rng, ACPI PM, PCI */
	ck_assert_uint_eq(with_state, 7);
	ck_assert_uint_eq(with_clock, 1); /* the ACPI PM timer */
	struct vm *vm = &restored_vm;
	ck_assert_uint_eq(in8(vm, COM1 + SCR), 0x77);
	ck_assert_uint_eq(in8(vm, COM1 + LCR), 0x1b);
	ck_assert_uint_eq(in8(vm, COM1 + RBR), 'h');
	ck_assert_uint_eq(in8(vm, COM1 + RBR), 'i');
	out8(vm, 0x70, 0x20);
	ck_assert_uint_eq(in8(vm, 0x71), 0x42);
	ck_assert_uint_eq(in8(vm, PC_RESET_REG_PORT), 0x0a);
	ck_assert_uint_eq(in8(vm, MINIVMM_BENCH_PIO_PORT), 3);
	ck_assert_uint_eq(mmio_rd(vm, VIRTIO + VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert_uint_eq(mmio_rd(vm, VIRTIO + VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE |
									VIRTIO_STATUS_DRIVER |
									VIRTIO_STATUS_FEATURES_OK);
}
END_TEST

START_TEST(test_what_does_not_fit_is_refused)
{
	dirty(&saved_vm);
	out8(&restored_vm, COM1 + SCR, 0x11);
	for (unsigned i = 0; i < saved_vm.devices.count; i++) {
		const struct device_entry *from = &saved_vm.devices.entries[i];
		const struct device_entry *to = &restored_vm.devices.entries[i];
		if (!from->save)
			continue;
		size_t len = from->save(from->state, saved);
		ck_assert_int_eq(to->load(to->state, saved, len - 1), -EINVAL);
		ck_assert_int_eq(to->load(to->state, saved, len + 1), -EINVAL);
	}
	/* Values: a receive FIFO count above 16, a 0xCF9 latch with RST_CPU, a queue past RAM. */
	const struct device_entry *uart = device_table_find(&saved_vm.devices, "uart8250");
	size_t len = uart->save(uart->state, saved);
	saved[11] = 17; /* rx_count */
	const struct device_entry *to = device_table_find(&restored_vm.devices, "uart8250");
	ck_assert_int_eq(to->load(to->state, saved, len), -EINVAL);
	ck_assert_uint_eq(in8(&restored_vm, COM1 + SCR), 0x11); /* nothing taken */
	const struct device_entry *reset = device_table_find(&restored_vm.devices, "reset");
	uint8_t latch = 0x04;
	ck_assert_int_eq(reset->load(reset->state, &latch, 1), -EINVAL);
	const struct device_entry *rng = device_table_find(&saved_vm.devices, "virtio-rng");
	len = rng->save(rng->state, saved);
	uint64_t past_ram = RAM_SIZE;
	memcpy(saved + 32, &past_ram, 8); /* queue 0's descriptor area */
	to = device_table_find(&restored_vm.devices, "virtio-rng");
	ck_assert_int_eq(to->load(to->state, saved, len), -EINVAL);
}
END_TEST

static Suite *device_snapshot_suite(void)
{
	Suite *s = suite_create("device_snapshot");
	TCase *tc = tcase_create("hooks");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_device_carries_over);
	tcase_add_test(tc, test_what_does_not_fit_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(device_snapshot_suite)
