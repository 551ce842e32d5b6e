/* SPDX-License-Identifier: MIT */
/* The bench device's userspace registers, driven through the buses as the run loop would. The
 * ioeventfd and coalesced-MMIO paths need a real VM: the integration tests boot bench.elf. */
#include <errno.h>
#include <string.h>

#include "devices/bench_device.h"
#include "devices/devices.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"

static struct vm vm;

static void setup(void)
{
	vm_init_without_kvm(&vm); /* no KVM: every address stays a plain userspace register */
	struct vmm_error err;
	ck_assert_int_eq(vm_attach_device(&vm, &bench_device_module, &err), 0);
}

static void teardown(void)
{
	vm_destroy(&vm);
}

static void write32(struct bus *bus, uint64_t addr, uint32_t value)
{
	uint8_t data[4];
	memcpy(data, &value, 4);
	ck_assert_ptr_nonnull(bus_access(bus, addr, data, 4, true));
}

static uint32_t read32(struct bus *bus, uint64_t addr)
{
	uint8_t data[4];
	uint32_t value;
	ck_assert_ptr_nonnull(bus_access(bus, addr, data, 4, false));
	memcpy(&value, data, 4);
	return value;
}

static struct bench_counts counts(void)
{
	struct bench_counts c;
	ck_assert_int_eq(bench_device_counts(&vm.devices, &c), 0);
	return c;
}

START_TEST(test_pio_register_counts_writes)
{
	for (uint32_t i = 0; i < 5; i++)
		write32(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT, i);
	uint8_t byte = 0xaa;
	ck_assert_ptr_nonnull(bus_access(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT + 3, &byte, 1, true));
	ck_assert_uint_eq(counts().pio_writes, 6);
	ck_assert_uint_eq(read32(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT), 6);
	ck_assert_uint_eq(counts().pio_writes, 6); /* reads are not writes */
	ck_assert_uint_eq(counts().mmio_writes, 0);
}
END_TEST

START_TEST(test_mmio_register_counts_writes)
{
	for (uint32_t i = 0; i < 7; i++)
		write32(&vm.mmio_bus, MINIVMM_BENCH_MMIO_GPA + 4 * i, i);
	ck_assert_uint_eq(counts().mmio_writes, 7);
	ck_assert_uint_eq(read32(&vm.mmio_bus, MINIVMM_BENCH_MMIO_GPA), 7);
	uint8_t wide[8];
	ck_assert_ptr_nonnull(bus_access(&vm.mmio_bus, MINIVMM_BENCH_MMIO_GPA + 8, wide, 8, false));
	uint64_t value;
	memcpy(&value, wide, 8);
	ck_assert_uint_eq(value, 7);
}
END_TEST

START_TEST(test_doorbells_without_kvm_are_userspace_registers)
{
	struct bench_counts c = counts();
	ck_assert(!c.have_ioeventfd);
	ck_assert(!c.have_coalesced);
	write32(&vm.pio_bus, MINIVMM_BENCH_PIO_DOORBELL_PORT, 1);
	write32(&vm.pio_bus, MINIVMM_BENCH_PIO_DOORBELL_PORT, 2);
	write32(&vm.mmio_bus, MINIVMM_BENCH_MMIO_DOORBELL_GPA, 3);
	c = counts();
	ck_assert_uint_eq(c.doorbell_pio_exits, 2);
	ck_assert_uint_eq(c.doorbell_mmio_exits, 1);
	ck_assert_uint_eq(c.ioeventfd_pio, 0);
	ck_assert_uint_eq(c.ioeventfd_mmio, 0);
	ck_assert_uint_eq(c.pio_writes + c.mmio_writes, 0);
}
END_TEST

START_TEST(test_coalesced_page_counts_dispatched_writes)
{
	/* What the run loop does with each entry drained from KVM's coalesced ring. */
	for (uint32_t i = 0; i < 3; i++)
		write32(&vm.mmio_bus, MINIVMM_BENCH_COALESCED_GPA + 0xffc, i);
	ck_assert_uint_eq(counts().coalesced_writes, 3);
	ck_assert_uint_eq(read32(&vm.mmio_bus, MINIVMM_BENCH_COALESCED_GPA), 3);
}
END_TEST

/* A guest reset (the device table's hook reboot.c calls): every count back to 0, the registers
 * included, and the device counts from there. */
START_TEST(test_reset_zeroes_every_count)
{
	write32(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT, 1);
	write32(&vm.mmio_bus, MINIVMM_BENCH_MMIO_GPA, 1);
	write32(&vm.pio_bus, MINIVMM_BENCH_PIO_DOORBELL_PORT, 1);
	write32(&vm.mmio_bus, MINIVMM_BENCH_MMIO_DOORBELL_GPA, 1);
	write32(&vm.mmio_bus, MINIVMM_BENCH_COALESCED_GPA, 1);
	device_table_reset_all(&vm.devices);
	struct bench_counts c = counts();
	ck_assert_uint_eq(c.pio_writes + c.mmio_writes + c.coalesced_writes, 0);
	ck_assert_uint_eq(c.doorbell_pio_exits + c.doorbell_mmio_exits, 0);
	ck_assert_uint_eq(c.ioeventfd_pio + c.ioeventfd_mmio, 0);
	ck_assert_uint_eq(read32(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT), 0);
	ck_assert_uint_eq(read32(&vm.mmio_bus, MINIVMM_BENCH_MMIO_GPA), 0);
	ck_assert_uint_eq(read32(&vm.mmio_bus, MINIVMM_BENCH_COALESCED_GPA), 0);
	write32(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT, 1);
	ck_assert_uint_eq(counts().pio_writes, 1);
}
END_TEST

START_TEST(test_ranges_end_where_documented)
{
	ck_assert_ptr_null(bus_find(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT + 4, 1));
	ck_assert_ptr_null(bus_find(&vm.mmio_bus, MINIVMM_BENCH_MMIO_GPA - 4, 4));
	ck_assert_ptr_null(bus_find(&vm.mmio_bus, MINIVMM_BENCH_COALESCED_GPA + 0x1000, 4));
	/* The unclaimed-MMIO integration tests probe 0xd0000000: it must stay unclaimed. */
	ck_assert_ptr_null(bus_find(&vm.mmio_bus, 0xd0000000, 4));
}
END_TEST

START_TEST(test_counts_need_the_device)
{
	struct device_table empty = {0};
	struct bench_counts c;
	ck_assert_int_eq(bench_device_counts(&empty, &c), -ENOENT);
}
END_TEST

START_TEST(test_second_attach_refused)
{
	struct vmm_error err;
	ck_assert_int_lt(vm_attach_device(&vm, &bench_device_module, &err), 0);
	ck_assert_int_eq(err.status, VMM_EXIT_INTERNAL);
}
END_TEST

static Suite *bench_device_suite(void)
{
	Suite *s = suite_create("bench_device");
	TCase *tc = tcase_create("registers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pio_register_counts_writes);
	tcase_add_test(tc, test_mmio_register_counts_writes);
	tcase_add_test(tc, test_doorbells_without_kvm_are_userspace_registers);
	tcase_add_test(tc, test_coalesced_page_counts_dispatched_writes);
	tcase_add_test(tc, test_reset_zeroes_every_count);
	tcase_add_test(tc, test_ranges_end_where_documented);
	tcase_add_test(tc, test_counts_need_the_device);
	tcase_add_test(tc, test_second_attach_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(bench_device_suite)
