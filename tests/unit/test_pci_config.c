/* SPDX-License-Identifier: MIT */
/* PCI configuration mechanism #1 (vmm/devices/pci_config.c) against PCI Local Bus 3.0
 * 3.2.2.3.2: CONFIG_ADDRESS only in 32 bits (0xCF9 stays the reset register), CONFIG_DATA by
 * byte, word and dword, the host bridge at 00:00.0, all ones for every absent function, bus and
 * disabled cycle, read-only fields, the unimplemented BARs, and the platform reset. */
#include <string.h>

#include "devices/device_table.h"
#include "devices/devices.h"
#include "machine/bus.h"
#include "platform/pc_layout.h"
#include "test_check_main.h"

static struct bus pio;
static struct device_table table;
static unsigned resets;

static void record_reset(void *ctx, const char *source)
{
	(void)ctx;
	(void)source;
	resets++;
}

static void setup(void)
{
	bus_init(&pio, "io");
	memset(&table, 0, sizeof table);
	resets = 0;
	const struct device_host host = {
	    .pio_bus = &pio,
	    .devices = &table,
	    .reset = {.request = record_reset},
	    .vm_fd = -1,
	};
	struct vmm_error err;
	/* both, in the order of devices.c: the ports 0xCF8-0xCFF share 0xCF9 with the reset */
	ck_assert_int_eq(reset_control_module.attach(&host, &err), 0);
	ck_assert_int_eq(pci_config_module.attach(&host, &err), 0);
}

static void teardown(void)
{
	device_table_destroy_all(&table);
}

static uint32_t in(uint16_t port, uint32_t len)
{
	uint8_t b[4] = {0};
	ck_assert_ptr_nonnull(bus_access(&pio, port, b, len, false));
	return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void out(uint16_t port, uint32_t value, uint32_t len)
{
	uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
			(uint8_t)(value >> 24)};
	ck_assert_ptr_nonnull(bus_access(&pio, port, b, len, true));
}

static uint32_t address(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg;
}

static uint32_t config_read(uint32_t addr, unsigned offset, uint32_t len)
{
	out(PC_PCI_CONFIG_ADDRESS, addr, 4);
	return in((uint16_t)(PC_PCI_CONFIG_DATA + offset), len);
}

START_TEST(test_host_bridge_identity)
{
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0x00), 0, 4), 0x12378086);
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0x08), 0, 4), 0x06000002); /* 06/00/00 */
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0x0c), 2, 1), 0x00); /* header type 0 */
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0x00), 2, 2), 0x1237);
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0x00), 1, 1), 0x80);
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0x34), 0, 4), 0); /* no capabilities */
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0x3c), 0, 4), 0); /* no interrupt pin */
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0xfc), 0, 4), 0);
}
END_TEST

START_TEST(test_absent_functions_devices_buses_read_all_ones)
{
	const uint32_t absent[] = {address(0, 0, 1, 0), address(0, 0, 7, 0),
				   address(0, 1, 0, 0), address(0, 31, 0, 0),
				   address(1, 0, 0, 0), address(255, 31, 7, 0x3c)};
	for (unsigned i = 0; i < sizeof absent / sizeof absent[0]; i++) {
		ck_assert_uint_eq(config_read(absent[i], 0, 4), 0xffffffffu);
		ck_assert_uint_eq(config_read(absent[i], 3, 1), 0xff);
		out(PC_PCI_CONFIG_DATA, 0, 4); /* dropped */
	}
	/* the enable bit clear: no configuration cycle at all */
	ck_assert_uint_eq(config_read(0x00000000, 0, 4), 0xffffffffu);
	out(PC_PCI_CONFIG_ADDRESS, address(0, 0, 0, 0x04), 4);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_DATA, 2), 0); /* and nothing was written */
}
END_TEST

START_TEST(test_config_address_reads_back_its_bits)
{
	out(PC_PCI_CONFIG_ADDRESS, 0xffffffffu, 4);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_ADDRESS, 4), 0x80fffffcu); /* 30:24 and 1:0 read 0 */
	out(PC_PCI_CONFIG_ADDRESS, 0, 4);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_ADDRESS, 4), 0);
}
END_TEST

START_TEST(test_only_32_bit_accesses_reach_config_address)
{
	out(PC_PCI_CONFIG_ADDRESS, address(0, 0, 0, 0x08), 4);
	uint8_t b[2] = {0x12, 0x34};
	ck_assert_ptr_null(bus_access(&pio, PC_PCI_CONFIG_ADDRESS, b, 1, true));
	ck_assert_ptr_null(bus_access(&pio, PC_PCI_CONFIG_ADDRESS, b, 2, true));
	ck_assert_ptr_null(bus_access(&pio, PC_PCI_CONFIG_ADDRESS + 2, b, 2, false));
	ck_assert_uint_eq(b[0], 0xff);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_ADDRESS, 4), address(0, 0, 0, 0x08));
	/* 0xCF9 is still the reset control register */
	out(PC_RESET_REG_PORT, PC_RESET_REG_VALUE, 1);
	ck_assert_uint_eq(resets, 1);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_ADDRESS, 4), address(0, 0, 0, 0x08));
}
END_TEST

START_TEST(test_read_only_fields_ignore_writes)
{
	out(PC_PCI_CONFIG_ADDRESS, address(0, 0, 0, 0x00), 4);
	out(PC_PCI_CONFIG_DATA, 0, 4);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_DATA, 4), 0x12378086);
	out(PC_PCI_CONFIG_ADDRESS, address(0, 0, 0, 0x08), 4);
	out(PC_PCI_CONFIG_DATA + 3, 0x02, 1);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_DATA, 4), 0x06000002);
	/* Command: only its enables; Status (the upper half) stays 0 */
	out(PC_PCI_CONFIG_ADDRESS, address(0, 0, 0, 0x04), 4);
	out(PC_PCI_CONFIG_DATA, 0xffffffffu, 4);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_DATA, 4), 0x00000147);
	out(PC_PCI_CONFIG_DATA + 1, 0x00, 1);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_DATA, 2), 0x0047);
	out(PC_PCI_CONFIG_DATA, 0x0004, 2);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_DATA, 4), 0x00000004);
}
END_TEST

START_TEST(test_unimplemented_bars_size_to_zero)
{
	for (unsigned bar = 0x10; bar <= 0x24; bar += 4) {
		out(PC_PCI_CONFIG_ADDRESS, address(0, 0, 0, bar), 4);
		out(PC_PCI_CONFIG_DATA, 0xffffffffu, 4);
		ck_assert_uint_eq(in(PC_PCI_CONFIG_DATA, 4), 0);
	}
}
END_TEST

START_TEST(test_reset_clears_address_and_command)
{
	out(PC_PCI_CONFIG_ADDRESS, address(0, 0, 0, 0x04), 4);
	out(PC_PCI_CONFIG_DATA, 0x0006, 2);
	device_table_reset_all(&table);
	ck_assert_uint_eq(in(PC_PCI_CONFIG_ADDRESS, 4), 0);
	ck_assert_uint_eq(config_read(address(0, 0, 0, 0x04), 0, 2), 0);
}
END_TEST

static Suite *pci_config_suite(void)
{
	Suite *s = suite_create("pci_config");
	TCase *tc = tcase_create("mechanism1");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_host_bridge_identity);
	tcase_add_test(tc, test_absent_functions_devices_buses_read_all_ones);
	tcase_add_test(tc, test_config_address_reads_back_its_bits);
	tcase_add_test(tc, test_only_32_bit_accesses_reach_config_address);
	tcase_add_test(tc, test_read_only_fields_ignore_writes);
	tcase_add_test(tc, test_unimplemented_bars_size_to_zero);
	tcase_add_test(tc, test_reset_clears_address_and_command);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pci_config_suite)
