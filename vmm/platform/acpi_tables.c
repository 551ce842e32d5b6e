/* SPDX-License-Identifier: MIT */
/*
 * The fixed-layout ACPI tables (ACPI 6.5: 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.9 FADT,
 * 5.2.10 FACS, 5.2.12 MADT). Offsets are the specification's tables; every port, address and
 * interrupt comes from pc_layout.h, the list the devices behind them read too.
 */
#include "platform/acpi_tables.h"

#include <string.h>

#include "devices/rtc_cmos.h"
#include "platform/pc_layout.h"
#include "platform/table_bytes.h"

/* FADT Flags (Table 5.10). */
#define FADT_WBINVD	   (1u << 0)  /* WBINVD flushes all caches: it does on every x86 */
#define FADT_PROC_C1	   (1u << 2)  /* C1 (HLT) works on every processor */
#define FADT_PWR_BUTTON	   (1u << 4)  /* no fixed-feature power button (PWRBTN_STS unused) */
#define FADT_SLP_BUTTON	   (1u << 5)  /* no fixed-feature sleep button */
#define FADT_TMR_VAL_EXT   (1u << 8)  /* the PM timer counts 32 bits, not 24 */
#define FADT_RESET_REG_SUP (1u << 10) /* RESET_REG resets the machine */
#define FADT_HEADLESS	   (1u << 12) /* no display: minivmm has a serial console only */

/* IA-PC Boot Architecture Flags (5.2.9.3, Table 5.11). */
#define BOOT_ARCH_LEGACY_DEVICES  (1u << 0) /* ISA devices an OS drives: COM1, the RTC */
#define BOOT_ARCH_VGA_NOT_PRESENT (1u << 2) /* no VGA: do not probe its ports and memory */
/* Bit 1 (8042) stays clear: minivmm answers only the 8042's reset command (port 0x64, value
 * 0xFE), there is no keyboard controller an OS could drive; the CMOS RTC (bit 5 clear) exists. */

/* Generic Address Structure (5.2.3.2). */
#define GAS_SYSTEM_IO	 1u
#define GAS_ACCESS_BYTE	 1u
#define GAS_ACCESS_WORD	 2u
#define GAS_ACCESS_DWORD 3u

/* FADT field offsets (5.2.9, Table 5.9). */
enum {
	FADT_SCI_INT = 46,
	FADT_PM1A_EVT_BLK = 56,
	FADT_PM1A_CNT_BLK = 64,
	FADT_PM_TMR_BLK = 76,
	FADT_PM1_EVT_LEN = 88,
	FADT_PM1_CNT_LEN = 89,
	FADT_PM_TMR_LEN = 91,
	FADT_P_LVL2_LAT = 96,
	FADT_P_LVL3_LAT = 98,
	FADT_CENTURY = 108,
	FADT_IAPC_BOOT_ARCH = 109,
	FADT_FLAGS = 112,
	FADT_RESET_REG = 116,
	FADT_RESET_VALUE = 128,
	FADT_MINOR_VERSION = 131,
	FADT_X_PM1A_EVT_BLK = 148,
	FADT_X_PM1A_CNT_BLK = 172,
	FADT_X_PM_TMR_BLK = 208,
};

#define PM1_EVT_LEN 4 /* PM1_STS + PM1_EN, 2 bytes each (4.8.3.1) */
#define PM1_CNT_LEN 2
#define PM_TMR_LEN  4

_Static_assert(ACPI_FADT_X_DSDT + 8 <= FADT_X_PM1A_EVT_BLK, "FADT layout");

void acpi_put_header(uint8_t *out, const char signature[4], uint32_t length, uint8_t revision)
{
	memset(out, 0, ACPI_HEADER_SIZE);
	memcpy(out, signature, 4);
	put_le32(out + 4, length);
	out[8] = revision;
	memcpy(out + 10, ACPI_OEM_ID, 6);
	memcpy(out + 16, ACPI_OEM_TABLE_ID, 8);
	put_le32(out + 24, 1); /* OEM revision */
	memcpy(out + 28, ACPI_CREATOR_ID, 4);
	put_le32(out + 32, 1); /* creator revision */
}

static size_t finish(uint8_t *out, size_t length)
{
	table_fix_checksum(out, length, out + ACPI_HEADER_CHECKSUM);
	return length;
}

void acpi_build_rsdp(uint8_t *out, uint32_t rsdt, uint64_t xsdt)
{
	memset(out, 0, ACPI_RSDP_SIZE);
	memcpy(out, "RSD PTR ", 8);
	memcpy(out + 9, ACPI_OEM_ID, 6);
	out[15] = 2; /* revision 2: ACPI 2.0 and later, with Length and XsdtAddress */
	put_le32(out + 16, rsdt);
	put_le32(out + 20, ACPI_RSDP_SIZE);
	put_le64(out + 24, xsdt);
	table_fix_checksum(out, 20, out + 8);		   /* the ACPI 1.0 part */
	table_fix_checksum(out, ACPI_RSDP_SIZE, out + 32); /* the extended checksum: all 36 */
}

size_t acpi_build_xsdt(uint8_t *out, const uint64_t *tables, size_t n)
{
	acpi_put_header(out, "XSDT", ACPI_XSDT_SIZE(n), 1);
	for (size_t i = 0; i < n; i++)
		put_le64(out + ACPI_HEADER_SIZE + 8 * i, tables[i]);
	return finish(out, ACPI_XSDT_SIZE(n));
}

size_t acpi_build_rsdt(uint8_t *out, const uint64_t *tables, size_t n)
{
	acpi_put_header(out, "RSDT", ACPI_RSDT_SIZE(n), 1);
	for (size_t i = 0; i < n; i++) /* firmware.c places every table below 1 MiB */
		put_le32(out + ACPI_HEADER_SIZE + 4 * i, (uint32_t)tables[i]);
	return finish(out, ACPI_RSDT_SIZE(n));
}

static void put_gas_io(uint8_t *gas, unsigned bytes, uint8_t access, uint16_t port)
{
	gas[0] = GAS_SYSTEM_IO;
	gas[1] = (uint8_t)(bytes * 8); /* register bit width */
	gas[2] = 0;		       /* bit offset */
	gas[3] = access;
	put_le64(gas + 4, port);
}

size_t acpi_build_fadt(uint8_t *out, uint32_t facs, uint32_t dsdt)
{
	memset(out, 0, ACPI_FADT_SIZE);
	acpi_put_header(out, "FACP", ACPI_FADT_SIZE, 6);
	put_le32(out + ACPI_FADT_FIRMWARE_CTRL, facs);
	put_le32(out + ACPI_FADT_DSDT, dsdt);
	/* Preferred_PM_Profile 0 (unspecified). SMI_CMD 0: no SMM, the hardware is always in ACPI
	 * mode (SCI_EN reads 1), so ACPI_ENABLE/ACPI_DISABLE stay 0 (5.2.9). */
	put_le16(out + FADT_SCI_INT, PC_ACPI_SCI_IRQ);
	put_le32(out + FADT_PM1A_EVT_BLK, PC_ACPI_PM1A_EVT_BLK);
	put_le32(out + FADT_PM1A_CNT_BLK, PC_ACPI_PM1A_CNT_BLK);
	put_le32(out + FADT_PM_TMR_BLK, PC_ACPI_PM_TMR_BLK);
	out[FADT_PM1_EVT_LEN] = PM1_EVT_LEN;
	out[FADT_PM1_CNT_LEN] = PM1_CNT_LEN;
	out[FADT_PM_TMR_LEN] = PM_TMR_LEN;
	/* No GPE blocks, no PM2, no PM1b. C2 and C3 unsupported: latencies above 100 and 1000. */
	put_le16(out + FADT_P_LVL2_LAT, 101);
	put_le16(out + FADT_P_LVL3_LAT, 1001);
	out[FADT_CENTURY] = RTC_REG_CENTURY; /* the CMOS byte the RTC keeps the century in */
	put_le16(out + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_VGA_NOT_PRESENT);
	put_le32(out + FADT_FLAGS, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
				       (PC_ACPI_PM_TMR_32BIT ? FADT_TMR_VAL_EXT : 0) |
				       FADT_RESET_REG_SUP | FADT_HEADLESS);
	put_gas_io(out + FADT_RESET_REG, 1, GAS_ACCESS_BYTE, PC_RESET_REG_PORT);
	out[FADT_RESET_VALUE] = PC_RESET_REG_VALUE;
	out[FADT_MINOR_VERSION] = 5; /* FADT 6.5 */
	put_le64(out + ACPI_FADT_X_FIRMWARE_CTRL, facs);
	put_le64(out + ACPI_FADT_X_DSDT, dsdt);
	put_gas_io(out + FADT_X_PM1A_EVT_BLK, PM1_EVT_LEN, GAS_ACCESS_WORD, PC_ACPI_PM1A_EVT_BLK);
	put_gas_io(out + FADT_X_PM1A_CNT_BLK, PM1_CNT_LEN, GAS_ACCESS_WORD, PC_ACPI_PM1A_CNT_BLK);
	put_gas_io(out + FADT_X_PM_TMR_BLK, PM_TMR_LEN, GAS_ACCESS_DWORD, PC_ACPI_PM_TMR_BLK);
	return finish(out, ACPI_FADT_SIZE);
}

size_t acpi_build_facs(uint8_t *out)
{
	memset(out, 0, ACPI_FACS_SIZE);
	memcpy(out, "FACS", 4);
	put_le32(out + 4, ACPI_FACS_SIZE);
	/* Hardware signature 0 (it changes only if the hardware does), waking vectors 0 (the OS
	 * sets one before S3), Global Lock 0, flags 0 (no S4BIOS, no 64-bit wake). */
	out[32] = 2; /* version: ACPI 2.0 and later */
	return ACPI_FACS_SIZE;
}

/* MPS INTI flags (Table 5.26): polarity bits 1:0, trigger mode bits 3:2. */
#define INTI_CONFORMS	    0x0u
#define INTI_ACTIVE_HIGH    0x1u
#define INTI_EDGE	    (0x1u << 2)
#define INTI_LEVEL	    (0x3u << 2)
#define MADT_PCAT_COMPAT    0x1u /* dual 8259s present: the OS masks them before using the IOAPIC */
#define MADT_LAPIC_ENABLED  0x1u
#define MADT_ALL_PROCESSORS 0xffu /* ACPI processor UID in a Local APIC NMI */
#define LAPIC_LINT1	    1u

static uint8_t *put_override(uint8_t *p, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	p[0] = 2; /* Interrupt Source Override */
	p[1] = ACPI_MADT_ISO;
	p[2] = 0; /* bus: ISA */
	p[3] = irq;
	put_le32(p + 4, gsi);
	put_le16(p + 8, flags);
	return p + ACPI_MADT_ISO;
}

size_t acpi_build_madt(uint8_t *out, unsigned cpus)
{
	const size_t length = ACPI_MADT_SIZE(cpus);
	memset(out, 0, length);
	acpi_put_header(out, "APIC", (uint32_t)length, 5);
	put_le32(out + 36, PC_LAPIC_ADDRESS);
	put_le32(out + 40, MADT_PCAT_COMPAT);
	uint8_t *p = out + ACPI_MADT_FIXED;
	/* 5.2.12.1: the boot processor's entry first. KVM gives vCPU i the APIC ID i. */
	for (unsigned i = 0; i < cpus; i++, p += ACPI_MADT_LAPIC) {
		p[0] = 0; /* Processor Local APIC */
		p[1] = ACPI_MADT_LAPIC;
		p[2] = (uint8_t)i; /* ACPI processor UID */
		p[3] = (uint8_t)i; /* APIC ID */
		put_le32(p + 4, MADT_LAPIC_ENABLED);
	}
	p[0] = 1; /* I/O APIC */
	p[1] = ACPI_MADT_IOAPIC;
	p[2] = PC_IOAPIC_ID;
	put_le32(p + 4, PC_IOAPIC_ADDRESS);
	put_le32(p + 8, 0); /* GSI base: pins 0..23 are GSIs 0..23 */
	p += ACPI_MADT_IOAPIC;
	/* The PIT's IRQ 0 is wired to IOAPIC pin 2 (irqchip.c routes it there), edge as ISA. The
	 * SCI is level-triggered, active high: not the ISA default, so it needs its override. */
	p = put_override(p, PC_PIT_ISA_IRQ, PC_PIT_GSI, INTI_CONFORMS);
	p = put_override(p, PC_ACPI_SCI_IRQ, PC_ACPI_SCI_GSI, INTI_ACTIVE_HIGH | INTI_LEVEL);
	p[0] = 4; /* Local APIC NMI: LINT1 of every processor, as on a PC */
	p[1] = ACPI_MADT_LNMI;
	p[2] = MADT_ALL_PROCESSORS;
	put_le16(p + 3, INTI_ACTIVE_HIGH | INTI_EDGE);
	p[5] = LAPIC_LINT1;
	return finish(out, length);
}
