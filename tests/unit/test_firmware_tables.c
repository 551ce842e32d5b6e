/* SPDX-License-Identifier: MIT */
/*
 * The PC firmware tables (vmm/platform/): each builder's checksums, lengths and fields against
 * ACPI 6.5 and the MP spec 1.4, and the whole of firmware.c read back from guest RAM by the
 * independent reader tests/platform/fw_walk.c, as a kernel finds it, for every vCPU count.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fw_walk.h"
#include "machine/guest_mem.h"
#include "machine/vm.h"
#include "platform/acpi_tables.h"
#include "platform/firmware.h"
#include "platform/mp_table.h"
#include "platform/pc_layout.h"
#include "platform/pc_memory_map.h"
#include "test_check_main.h"

#define RAM (2u << 20)

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

START_TEST(test_rsdp_both_checksums)
{
	uint8_t r[ACPI_RSDP_SIZE];
	acpi_build_rsdp(r, 0xf0123, 0xf0456);
	ck_assert_mem_eq(r, "RSD PTR ", 8);
	ck_assert_uint_eq(sum(r, 20), 0);
	ck_assert_uint_eq(sum(r, ACPI_RSDP_SIZE), 0);
	ck_assert_uint_eq(r[15], 2);
	ck_assert_uint_eq(le32(r + 16), 0xf0123);
	ck_assert_uint_eq(le32(r + 20), ACPI_RSDP_SIZE);
	ck_assert_uint_eq(le64(r + 24), 0xf0456);
}
END_TEST

START_TEST(test_fadt_fields)
{
	uint8_t f[ACPI_FADT_SIZE];
	ck_assert_uint_eq(acpi_build_fadt(f, 0xf0040, 0xf0080), ACPI_FADT_SIZE);
	ck_assert_uint_eq(sum(f, ACPI_FADT_SIZE), 0);
	ck_assert_mem_eq(f, "FACP", 4);
	ck_assert_uint_eq(f[8], 6);
	ck_assert_uint_eq(le32(f + 36), 0xf0040); /* FIRMWARE_CTRL and X_FIRMWARE_CTRL agree */
	ck_assert_uint_eq(le64(f + 132), 0xf0040);
	ck_assert_uint_eq(le32(f + 40), 0xf0080); /* DSDT and X_DSDT agree */
	ck_assert_uint_eq(le64(f + 140), 0xf0080);
	ck_assert_uint_eq(f[46], PC_ACPI_SCI_IRQ);
	ck_assert_uint_eq(le32(f + 56), PC_ACPI_PM1A_EVT_BLK);
	ck_assert_uint_eq(le32(f + 64), PC_ACPI_PM1A_CNT_BLK);
	ck_assert_uint_eq(le32(f + 76), PC_ACPI_PM_TMR_BLK);
	ck_assert_uint_eq(le64(f + 148 + 4), PC_ACPI_PM1A_EVT_BLK); /* X_PM1a_EVT_BLK address */
	ck_assert_uint_eq(le64(f + 208 + 4), PC_ACPI_PM_TMR_BLK);
	ck_assert_uint_eq(f[88], 4);
	ck_assert_uint_eq(f[89], 2);
	ck_assert_uint_eq(f[91], 4);
	uint32_t flags = le32(f + 112);
	ck_assert_uint_eq(!!(flags & (1u << 8)), PC_ACPI_PM_TMR_32BIT); /* TMR_VAL_EXT */
	ck_assert_uint_ne(flags & (1u << 10), 0);			/* RESET_REG_SUP */
	ck_assert_uint_eq(f[116], 1);					/* system I/O */
	ck_assert_uint_eq(le64(f + 120), PC_RESET_REG_PORT);
	ck_assert_uint_eq(f[128], PC_RESET_REG_VALUE);
	ck_assert_uint_eq(f[109] & 0x2, 0); /* no 8042 */
	ck_assert_uint_ne(f[109] & 0x4, 0); /* VGA not present */
}
END_TEST

START_TEST(test_madt_entries_per_vcpu)
{
	for (unsigned cpus = 1; cpus <= VM_MAX_VCPUS; cpus++) {
		uint8_t m[ACPI_MADT_SIZE(VM_MAX_VCPUS)];
		size_t len = acpi_build_madt(m, cpus);
		ck_assert_uint_eq(len, ACPI_MADT_SIZE(cpus));
		ck_assert_uint_eq(le32(m + 4), len);
		ck_assert_uint_eq(sum(m, len), 0);
		ck_assert_uint_eq(le32(m + 36), PC_LAPIC_ADDRESS);
		ck_assert_uint_eq(le32(m + 40), 1); /* PCAT_COMPAT */
		const uint8_t *e = m + 44;
		for (unsigned i = 0; i < cpus; i++, e += 8) {
			ck_assert_uint_eq(e[0], 0);
			ck_assert_uint_eq(e[3], i); /* APIC ID */
			ck_assert_uint_eq(le32(e + 4), 1);
		}
		ck_assert_uint_eq(e[0], 1); /* the IOAPIC, GSI base 0 */
		ck_assert_uint_eq(le32(e + 4), PC_IOAPIC_ADDRESS);
		ck_assert_uint_eq(le32(e + 8), 0);
		e += 12;
		ck_assert_uint_eq(e[0], 2); /* IRQ 0 -> GSI 2 */
		ck_assert_uint_eq(e[3], 0);
		ck_assert_uint_eq(le32(e + 4), 2);
		e += 10;
		ck_assert_uint_eq(e[3], PC_ACPI_SCI_IRQ); /* SCI: level (3 << 2), active high (1) */
		ck_assert_uint_eq(e[8], 0xd);
	}
}
END_TEST

START_TEST(test_mp_checksums_and_entries)
{
	uint8_t fp[MP_FLOATING_SIZE], c[MP_CONFIG_SIZE(VM_MAX_VCPUS)];
	mp_build_floating(fp, 0xf0350);
	ck_assert_mem_eq(fp, "_MP_", 4);
	ck_assert_uint_eq(sum(fp, sizeof fp), 0);
	ck_assert_uint_eq(le32(fp + 4), 0xf0350);
	for (unsigned cpus = 1; cpus <= VM_MAX_VCPUS; cpus++) {
		size_t len = mp_build_config(c, cpus);
		ck_assert_uint_eq(len, MP_CONFIG_SIZE(cpus));
		ck_assert_uint_eq(sum(c, len), 0);
		ck_assert_uint_eq(c[4] | c[5] << 8, len);
		ck_assert_uint_eq(c[6], 4);
		ck_assert_uint_eq(c[44 + 3], 3); /* the BSP: enabled, bootstrap */
		if (cpus > 1)
			ck_assert_uint_eq(c[44 + 20 + 3], 1);
	}
}
END_TEST

START_TEST(test_dsdt_small_buffer_and_sleep_states)
{
	uint8_t d[ACPI_DSDT_MAX];
	ck_assert_uint_eq(acpi_build_dsdt(d, 60), 0);
	size_t len = acpi_build_dsdt(d, sizeof d);
	ck_assert_uint_gt(len, ACPI_HEADER_SIZE);
	ck_assert_uint_eq(le32(d + 4), len);
	ck_assert_uint_eq(sum(d, len), 0);
	/* Name (_S5_, Package (4) { typ, typ, 0, 0 }) with the one-byte encodings of 0 and 1. */
	const uint8_t *s5 = memmem(d, len, "\x08_S5_\x12", 6);
	ck_assert_ptr_nonnull(s5);
	ck_assert_uint_eq(s5[7], 4);
	ck_assert_uint_eq(s5[8], PC_ACPI_SLP_TYP_S5);
	const uint8_t *s3 = memmem(d, len, "\x08_S3_\x12", 6);
	ck_assert_ptr_nonnull(s3);
	ck_assert_uint_eq(s3[8], PC_ACPI_SLP_TYP_S3);
}
END_TEST

/* firmware.c as a kernel reads it, for every vCPU count, with and without the irqchip. */
START_TEST(test_firmware_walks_as_a_kernel_finds_it)
{
	uint8_t *ram = malloc(RAM);
	struct guest_mem mem;
	guest_mem_wrap(&mem, ram, RAM);
	struct vmm_error err = {0};
	for (unsigned cpus = 1; cpus <= VM_MAX_VCPUS; cpus++)
		for (int irq = 0; irq < 2; irq++) {
			memset(ram, 0x5a, RAM); /* a reboot: the old contents go */
			ck_assert_int_eq(
			    pc_firmware_write(&mem, cpus, irq, 0x100000, 0x200000, &err), 0);
			struct fw_walk w;
			ck_assert_msg(fw_walk(ram, RAM, &w) == 0, "%s", w.error);
			ck_assert_uint_eq(w.rsdp_ebda, PC_EBDA_BASE + 16);
			ck_assert_uint_eq(w.rsdp_scan, PC_ACPI_RSDP_GPA);
			ck_assert_uint_eq(fw_walk_find(&w, "FACS")->gpa, PC_ACPI_FACS_GPA);
			ck_assert_uint_eq(w.madt_lapics, irq ? cpus : 0);
			ck_assert_uint_eq(w.mp_processors, irq ? cpus : 0);
			ck_assert_uint_eq(w.mp_bootstrap, irq ? 1 : 0);
			for (size_t i = 0; i < w.count; i++)
				ck_assert_uint_lt(w.tables[i].gpa + w.tables[i].length,
						  PC_FIRMWARE_TABLES_END);
		}
	free(ram);
}
END_TEST

START_TEST(test_image_over_the_tables_refused)
{
	uint8_t *ram = malloc(RAM);
	memset(ram, 0x5a, RAM);
	struct guest_mem mem;
	guest_mem_wrap(&mem, ram, RAM);
	struct vmm_error err = {0};
	ck_assert_int_ne(pc_firmware_write(&mem, 1, true, 0x80000, 0x1a0000, &err), 0);
	ck_assert_int_eq(err.status, VMM_EXIT_GUEST_IMAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "the EBDA"));
	ck_assert_uint_eq(ram[PC_ACPI_RSDP_GPA], 0x5a); /* nothing written */
	free(ram);
}
END_TEST

START_TEST(test_memory_map_is_ordered_and_complete)
{
	struct pc_memory_range r[PC_MEMORY_MAP_MAX];
	size_t n = pc_memory_map(64u << 20, r);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(r[0].base, 0);
	for (size_t i = 1; i < n; i++)
		ck_assert_uint_le(r[i - 1].end, r[i].base);
	ck_assert_uint_eq(r[2].end, r[3].base); /* no gap below 1 MiB + RAM */
	ck_assert(r[1].available && r[3].available && !r[2].available);
	ck_assert_ptr_null(pc_memory_written_overlap(0x1000, PC_EBDA_BASE - 0x1000));
	ck_assert_ptr_null(pc_memory_written_overlap(0xa0000, 0x40000)); /* the VGA/ROM hole */
	ck_assert_ptr_nonnull(pc_memory_written_overlap(PC_FIRMWARE_TABLES_END - 1, 1));
}
END_TEST

static Suite *firmware_suite(void)
{
	Suite *s = suite_create("firmware_tables");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_rsdp_both_checksums);
	tcase_add_test(tc, test_fadt_fields);
	tcase_add_test(tc, test_madt_entries_per_vcpu);
	tcase_add_test(tc, test_mp_checksums_and_entries);
	tcase_add_test(tc, test_dsdt_small_buffer_and_sleep_states);
	tcase_add_test(tc, test_firmware_walks_as_a_kernel_finds_it);
	tcase_add_test(tc, test_image_over_the_tables_refused);
	tcase_add_test(tc, test_memory_map_is_ordered_and_complete);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(firmware_suite)
