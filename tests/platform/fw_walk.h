/* SPDX-License-Identifier: MIT */
/*
 * A reader of the PC firmware tables in guest-physical memory, as a kernel finds them: the RSDP
 * through the EBDA pointer at 0x40E and by the 0xE0000-0xFFFFF scan (ACPI 6.5 5.2.5.1), the XSDT
 * and RSDT and every table they list, the FACS and DSDT through the FADT (5.2.9), and the MP
 * floating pointer and configuration table (MP spec 1.4, 4). Used by the tests only (fw_dump.c,
 * test_firmware_tables.c): independent of vmm/platform/, so a builder's mistake is not read
 * back the same wrong way.
 *
 * The memory is untrusted input (tests/fuzz/fuzz_fw_walk.c): every pointer and length is bounded
 * by the memory's size before it is followed, the number of tables is bounded, and every
 * checksum is checked.
 */
#ifndef MINIVMM_TESTS_FW_WALK_H
#define MINIVMM_TESTS_FW_WALK_H

#include <stddef.h>
#include <stdint.h>

#define FW_WALK_MAX_TABLES 24

struct fw_table {
	char name[5]; /* the signature ("RSDP" for "RSD PTR ", "MPFP" for "_MP_") */
	uint64_t gpa;
	uint32_t length;
	const uint8_t *bytes; /* inside the walked memory */
};

struct fw_walk {
	uint64_t rsdp_ebda, rsdp_scan; /* where each search found the RSDP; 0: not found */
	uint64_t mp_floating;	       /* 0: no MP table */
	struct fw_table tables[FW_WALK_MAX_TABLES];
	size_t count;
	unsigned madt_lapics;	 /* enabled Processor Local APIC entries */
	unsigned madt_overrides; /* Interrupt Source Override entries */
	unsigned mp_processors;	 /* enabled processor entries */
	unsigned mp_bootstrap;	 /* of which flagged BSP */
	char error[256];
};

/* Walks guest-physical memory [0, size). Returns 0, or -1 with walk->error saying what is wrong
 * (no RSDP, a checksum, a pointer outside memory, XSDT and RSDT disagreeing...). */
int fw_walk(const uint8_t *mem, uint64_t size, struct fw_walk *walk);

/* The table named name (e.g. "APIC"), or NULL. */
const struct fw_table *fw_walk_find(const struct fw_walk *walk, const char *name);

#endif
