/* SPDX-License-Identifier: MIT */
/*
 * Builders of the ACPI tables minivmm gives a PC guest (ACPI 6.5, chapter 5.2), each writing one
 * table into a caller's buffer at least its *_SIZE bytes long and returning its length, with its
 * checksum(s) set. Where a table lies in guest memory is firmware.c's business: the builders take
 * the addresses of the tables they point to. acpi_tables.c builds the fixed-layout tables,
 * acpi_dsdt.c the DSDT's AML. docs/platform.md lists every field's value and why.
 */
#ifndef MINIVMM_PLATFORM_ACPI_TABLES_H
#define MINIVMM_PLATFORM_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_OEM_ID	  "MINVMM"   /* 6 bytes */
#define ACPI_OEM_TABLE_ID "MINIVMM " /* 8 bytes */
#define ACPI_CREATOR_ID	  "MVMM"     /* 4 bytes: the "ASL compiler" that made the tables */

#define ACPI_HEADER_SIZE     36u  /* 5.2.6 System Description Table Header */
#define ACPI_HEADER_CHECKSUM 9u	  /* its checksum byte: the whole table sums to 0 */
#define ACPI_RSDP_SIZE	     36u  /* 5.2.5.3, revision 2 */
#define ACPI_FACS_SIZE	     64u  /* 5.2.10, version 2 */
#define ACPI_FADT_SIZE	     276u /* 5.2.9, revision 6 (ACPI 6.x, with the hypervisor vendor) */
#define ACPI_MADT_FIXED	     44u  /* header, local APIC address, flags */
#define ACPI_MADT_LAPIC	     8u	  /* 5.2.12.2 Processor Local APIC */
#define ACPI_MADT_IOAPIC     12u  /* 5.2.12.3 */
#define ACPI_MADT_ISO	     10u  /* 5.2.12.5 Interrupt Source Override */
#define ACPI_MADT_LNMI	     6u	  /* 5.2.12.7 Local APIC NMI */
#define ACPI_MADT_OVERRIDES  2u	  /* IRQ0 -> GSI 2, the SCI */
#define ACPI_MADT_SIZE(cpus)                                                                       \
	(ACPI_MADT_FIXED + ACPI_MADT_LAPIC * (cpus) + ACPI_MADT_IOAPIC +                           \
	 ACPI_MADT_ISO * ACPI_MADT_OVERRIDES + ACPI_MADT_LNMI)
#define ACPI_SDT_MAX_ENTRIES 2u /* the FADT and (with interrupt controllers) the MADT */
#define ACPI_XSDT_SIZE(n)    (ACPI_HEADER_SIZE + 8u * (n))
#define ACPI_RSDT_SIZE(n)    (ACPI_HEADER_SIZE + 4u * (n))
#define ACPI_DSDT_MAX	     512u /* room acpi_build_dsdt() needs; the AML is ~250 bytes */

/* FADT offsets a reader of the tables needs (5.2.9, Table 5.9). */
#define ACPI_FADT_FIRMWARE_CTRL	  36u
#define ACPI_FADT_DSDT		  40u
#define ACPI_FADT_X_FIRMWARE_CTRL 132u
#define ACPI_FADT_X_DSDT	  140u

/* The RSDP (revision 2): the RSDT's and XSDT's addresses, both checksums. */
void acpi_build_rsdp(uint8_t *out, uint32_t rsdt, uint64_t xsdt);

/* The XSDT (64-bit entries) and the RSDT (32-bit entries) listing the same n tables. */
size_t acpi_build_xsdt(uint8_t *out, const uint64_t *tables, size_t n);
size_t acpi_build_rsdt(uint8_t *out, const uint64_t *tables, size_t n);

/* The FADT: PM1a and PM timer blocks, reset register, SCI, flags; FACS and DSDT in both the
 * 32-bit and the X_ 64-bit fields (both below 4 GiB, so equal). */
size_t acpi_build_fadt(uint8_t *out, uint32_t facs, uint32_t dsdt);

/* The FACS (no checksum): hardware signature 0, waking vectors 0 until the OS sets them. */
size_t acpi_build_facs(uint8_t *out);

/* The MADT for cpus vCPUs (1..PC_FIRMWARE_MAX_CPUS): a Local APIC per vCPU (ACPI processor UID =
 * APIC ID = vCPU index, enabled), the IOAPIC, the overrides IRQ0 -> GSI 2 and SCI, LINT1 = NMI. */
size_t acpi_build_madt(uint8_t *out, unsigned cpus);

/* The DSDT (acpi_dsdt.c) into out of cap bytes; 0 if cap is too small. */
size_t acpi_build_dsdt(uint8_t *out, size_t cap);

/* The standard header of every table but RSDP and FACS, with a zero checksum. */
void acpi_put_header(uint8_t *out, const char signature[4], uint32_t length, uint8_t revision);

#endif
