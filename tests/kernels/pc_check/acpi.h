/* SPDX-License-Identifier: MIT */
/* What pc_check learns from the ACPI tables (ACPI 6.5 chapter 5), found as a kernel finds them:
 * the RSDP by scanning memory, then RSDT/XSDT, MADT, FADT, FACS and DSDT. */
#ifndef PC_CHECK_ACPI_H
#define PC_CHECK_ACPI_H

#include "io.h"

#define ACPI_MAX_CPUS 32

struct acpi_info {
	uint32_t rsdp;
	char oem_id[7]; /* the RSDP's: "BOCHS " on QEMU */
	uint32_t madt, fadt, facs, dsdt;
	/* MADT */
	uint32_t lapic_address;
	unsigned cpu_count; /* enabled Local APIC (and x2APIC) entries */
	uint32_t apic_ids[ACPI_MAX_CPUS];
	struct {
		uint8_t irq;
		uint32_t gsi;
		uint16_t flags; /* MPS INTI flags: polarity bits 1-0, trigger mode bits 3-2 */
	} overrides[16];
	unsigned override_count;
	/* FADT */
	uint32_t fadt_flags;
	uint16_t sci_irq;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint16_t pm_tmr_port;
	bool pm_tmr_32bit;
	uint16_t pm1a_evt_port;
	uint8_t pm1_evt_len;
	uint16_t pm1a_cnt_port;
	/* DSDT: the SLP_TYPa values of \_S5 and \_S3, -1 when absent */
	int slp_typ_s5, slp_typ_s3;
};

/* Finds and checks the tables, reporting one line per check; expected_cpus is the count the
 * MADT must list. Fields stay 0 (slp_typ -1) for what was not found. */
void acpi_check(struct acpi_info *acpi, unsigned expected_cpus);

/* The SLP_TYPa of a sleep-state package (\_S5_, \_S3_) in AML, or -1 (aml.c). */
int aml_sleep_type(const uint8_t *aml, uint32_t length, const char name[4]);

#endif
