/* SPDX-License-Identifier: MIT */
#include "platform/pc_memory_map.h"

#include "minivmm/boot_abi.h"
#include "platform/pc_layout.h"

/* The three ranges below 1 MiB do not depend on RAM (which is at least 2 MiB). */
static const struct pc_memory_range low_ranges[] = {
    {0, PC_LOW_RESERVED_END, false, "the real-mode IVT and BIOS data area"},
    {PC_LOW_RESERVED_END, PC_EBDA_BASE, true, "conventional memory"},
    {PC_EBDA_BASE, PC_UPPER_MEMORY_BASE, false,
     "the EBDA, VGA/ROM hole, minivmm's boot data and firmware tables"},
};

size_t pc_memory_map(uint64_t ram_size, struct pc_memory_range *out)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof low_ranges / sizeof low_ranges[0]; i++)
		out[n++] = low_ranges[i];
	if (ram_size > PC_UPPER_MEMORY_BASE)
		out[n++] = (struct pc_memory_range){PC_UPPER_MEMORY_BASE, ram_size, true,
						    "extended memory"};
	out[n++] = (struct pc_memory_range){MINIVMM_MMIO_BASE, MINIVMM_IDENTITY_MAP_SIZE, false,
					    "the MMIO window (IOAPIC, LAPIC, devices)"};
	return n;
}

/* Inside the reserved ranges of low_ranges. */
static const struct pc_memory_range written_ranges[] = {
    {0, PC_LOW_RESERVED_END, false, "the real-mode IVT and BIOS data area"},
    {PC_EBDA_BASE, PC_BASE_MEMORY_END, false, "the EBDA"},
    {PC_BOOT_DATA_BASE, PC_BOOT_DATA_END, false, "minivmm's multiboot information"},
    {PC_FIRMWARE_BASE, PC_FIRMWARE_TABLES_END, false, "the ACPI and MP tables"},
};

const struct pc_memory_range *pc_memory_written_overlap(uint64_t gpa, uint64_t len)
{
	for (size_t i = 0; i < sizeof written_ranges / sizeof written_ranges[0]; i++) {
		const struct pc_memory_range *r = &written_ranges[i];
		if (len && gpa < r->end && r->base < gpa + len)
			return r;
	}
	return NULL;
}
