/* SPDX-License-Identifier: MIT */
/*
 * Places the firmware tables (firmware.h) in guest RAM below 1 MiB:
 *
 *   0x40E, 0x413            BDA words: EBDA segment, KiB of base memory
 *   PC_EBDA_BASE            EBDA: size byte, RSDP copy at +16 (ACPI 6.5 5.2.5.1: the first KiB
 *                           of the EBDA is searched first)
 *   PC_ACPI_RSDP_GPA        RSDP (16-byte aligned, in the 0xE0000-0xFFFFF scan)
 *   PC_ACPI_FACS_GPA        FACS (64-byte aligned, 5.2.10)
 *   then, 16-byte aligned:  DSDT, FADT, MADT, RSDT, XSDT, MP floating pointer (MP spec 4: in
 *                           0xF0000-0xFFFFF), MP configuration table
 *
 * The sizes are bounded at build time for PC_FIRMWARE_MAX_CPUS, so the layout always fits below
 * PC_FIRMWARE_TABLES_END.
 */
#include "platform/firmware.h"

#include <errno.h>
#include <string.h>

#include "minivmm/boot_abi.h"
#include "platform/acpi_tables.h"
#include "platform/mp_table.h"
#include "platform/pc_layout.h"
#include "platform/pc_memory_map.h"
#include "platform/table_bytes.h"

#define ALIGN16(x)	 (((x) + 15u) & ~(uint64_t)15u)
#define TABLES_BASE	 (PC_ACPI_FACS_GPA + ACPI_FACS_SIZE)
#define EBDA_RSDP_OFFSET 16u
#define FIRMWARE_MAX_END                                                                           \
	(TABLES_BASE + ALIGN16(ACPI_DSDT_MAX) + ALIGN16(ACPI_FADT_SIZE) +                          \
	 ALIGN16(ACPI_MADT_SIZE(PC_FIRMWARE_MAX_CPUS)) +                                           \
	 ALIGN16(ACPI_RSDT_SIZE(ACPI_SDT_MAX_ENTRIES)) +                                           \
	 ALIGN16(ACPI_XSDT_SIZE(ACPI_SDT_MAX_ENTRIES)) + MP_FLOATING_SIZE +                        \
	 MP_CONFIG_SIZE(PC_FIRMWARE_MAX_CPUS))

_Static_assert(FIRMWARE_MAX_END <= PC_FIRMWARE_TABLES_END &&
		   PC_FIRMWARE_TABLES_END <= PC_FIRMWARE_END,
	       "the tables fit their part of the BIOS area");
_Static_assert(PC_ACPI_RSDP_GPA % 16 == 0 && PC_ACPI_RSDP_GPA >= PC_FIRMWARE_BASE &&
		   PC_ACPI_RSDP_GPA + ACPI_RSDP_SIZE <= PC_ACPI_FACS_GPA,
	       "the RSDP is 16-byte aligned in the BIOS area, before the FACS");
_Static_assert(PC_ACPI_FACS_GPA % 64 == 0, "the FACS is 64-byte aligned (ACPI 6.5 5.2.10)");
_Static_assert(PC_EBDA_BASE + EBDA_RSDP_OFFSET + ACPI_RSDP_SIZE <=
		   PC_EBDA_BASE + PC_EBDA_SIZE_KIB * 1024u,
	       "the RSDP copy lies in the EBDA's first KiB");
_Static_assert(PC_EBDA_BASE + PC_EBDA_SIZE_KIB * 1024u == PC_BASE_MEMORY_END,
	       "the EBDA ends base memory");
_Static_assert(MINIVMM_RESERVED_END <= PC_EBDA_BASE && PC_BOOT_DATA_END <= PC_FIRMWARE_BASE,
	       "the direct boot's pages and the multiboot data stay clear of the tables");
_Static_assert(PC_FIRMWARE_END <= MINIVMM_RAM_MIN, "every VM has the first MiB");
_Static_assert(MINIVMM_SIPI_TRAMPOLINE_MAX <= PC_EBDA_BASE, "the toy guest's AP trampoline range");

int pc_firmware_write(struct guest_mem *mem, unsigned cpus, bool interrupt_controllers,
		      uint64_t image_begin, uint64_t image_end, struct vmm_error *err)
{
	if (cpus == 0 || cpus > PC_FIRMWARE_MAX_CPUS)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL,
				     "firmware tables for %u vCPUs: 1..%d expected", cpus,
				     PC_FIRMWARE_MAX_CPUS);
	const struct pc_memory_range *r =
	    image_end > image_begin
		? pc_memory_written_overlap(image_begin, image_end - image_begin)
		: NULL;
	if (r)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
				     "the guest image [0x%llx, 0x%llx) overlaps [0x%llx, 0x%llx), "
				     "%s, which a PC keeps below 1 MiB: load it at 1 MiB or above",
				     (unsigned long long)image_begin, (unsigned long long)image_end,
				     (unsigned long long)r->base, (unsigned long long)r->end,
				     r->what);
	uint8_t *low = guest_mem_gpa_to_hva(mem, 0, PC_FIRMWARE_END);
	if (!low)
		return vmm_error_set(err, -EFAULT, VMM_EXIT_INTERNAL,
				     "guest RAM lacks the first MiB for the firmware tables");
	/* Rewritten in full at every reboot: nothing a previous boot wrote stays. */
	memset(low + PC_EBDA_BASE, 0, PC_BASE_MEMORY_END - PC_EBDA_BASE);
	memset(low + PC_FIRMWARE_BASE, 0, PC_FIRMWARE_TABLES_END - PC_FIRMWARE_BASE);
	put_le16(low + PC_BDA_EBDA_SEGMENT, (uint16_t)(PC_EBDA_BASE >> 4));
	put_le16(low + PC_BDA_BASE_MEM_KIB, (uint16_t)(PC_EBDA_BASE / 1024));
	low[PC_EBDA_BASE] = PC_EBDA_SIZE_KIB;

	acpi_build_facs(low + PC_ACPI_FACS_GPA);
	uint64_t at = TABLES_BASE;
	const uint64_t dsdt = at;
	size_t dsdt_len = acpi_build_dsdt(low + dsdt, ACPI_DSDT_MAX);
	if (!dsdt_len)
		return vmm_error_set(err, -ENOSPC, VMM_EXIT_INTERNAL,
				     "the DSDT outgrew its %u bytes", ACPI_DSDT_MAX);
	at += ALIGN16(dsdt_len);
	uint64_t tables[ACPI_SDT_MAX_ENTRIES];
	size_t n = 0;
	tables[n++] = at;
	at += ALIGN16(acpi_build_fadt(low + at, (uint32_t)PC_ACPI_FACS_GPA, (uint32_t)dsdt));
	if (interrupt_controllers) {
		tables[n++] = at;
		at += ALIGN16(acpi_build_madt(low + at, cpus));
	}
	const uint64_t rsdt = at;
	at += ALIGN16(acpi_build_rsdt(low + rsdt, tables, n));
	const uint64_t xsdt = at;
	at += ALIGN16(acpi_build_xsdt(low + xsdt, tables, n));
	acpi_build_rsdp(low + PC_ACPI_RSDP_GPA, (uint32_t)rsdt, xsdt);
	memcpy(low + PC_EBDA_BASE + EBDA_RSDP_OFFSET, low + PC_ACPI_RSDP_GPA, ACPI_RSDP_SIZE);
	if (interrupt_controllers) {
		mp_build_floating(low + at, (uint32_t)(at + MP_FLOATING_SIZE));
		mp_build_config(low + at + MP_FLOATING_SIZE, cpus);
	}
	return 0;
}
