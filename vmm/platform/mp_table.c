/* SPDX-License-Identifier: MIT */
/*
 * MP floating pointer (MP spec 1.4, 4.1) and MP configuration table (4.2, base entries 4.3).
 * Entries appear in the order the specification requires (Table 4-3): processors, buses, I/O
 * APICs, I/O interrupt assignments, local interrupt assignments.
 */
#include "platform/mp_table.h"

#include <string.h>

#include "platform/table_bytes.h"

#define MP_SPEC_REV_1_4 4
#define MP_OEM_ID	"MINIVMM "     /* 8 bytes */
#define MP_PRODUCT_ID	"PC          " /* 12 bytes */

enum { ENTRY_PROCESSOR, ENTRY_BUS, ENTRY_IOAPIC, ENTRY_IO_INTERRUPT, ENTRY_LOCAL_INTERRUPT };
enum { INT_VECTORED = 0, INT_NMI = 1, INT_EXTINT = 3 }; /* Table 4-10 */

#define CPU_ENABLED	 0x1u
#define CPU_BOOTSTRAP	 0x2u
#define CPU_FEATURES	 ((1u << 0) | (1u << 9)) /* CPUID.1:EDX FPU and APIC: every vCPU has */
#define LAPIC_VERSION	 0x14u			 /* KVM's local APIC version register */
#define IOAPIC_VERSION	 0x11u			 /* KVM's IOAPIC version register */
#define IOAPIC_ENABLED	 0x1u
#define PCI_BUS_ID	 0u
#define ISA_BUS_ID	 1u
#define ALL_LAPICS	 0xffu
#define FLAGS_CONFORMS	 0x0u /* polarity and trigger as the bus defines (ISA: edge, high) */
#define FLAGS_LEVEL_HIGH 0xdu /* PO = 01 active high, EL = 11 level */

void mp_build_floating(uint8_t *out, uint32_t config_gpa)
{
	memset(out, 0, MP_FLOATING_SIZE);
	memcpy(out, "_MP_", 4);
	put_le32(out + 4, config_gpa);
	out[8] = MP_FLOATING_SIZE / 16; /* length in paragraphs */
	out[9] = MP_SPEC_REV_1_4;
	/* Feature byte 1 = 0: a configuration table exists (no default configuration). Byte 2
	 * bit 7 (IMCRP) clear: virtual wire mode, there is no IMCR to program. */
	table_fix_checksum(out, MP_FLOATING_SIZE, out + 10);
}

static uint8_t *put_short(uint8_t *p, uint8_t type, uint8_t b1, uint16_t flags, uint8_t b4,
			  uint8_t b5, uint8_t b6, uint8_t b7)
{
	p[0] = type;
	p[1] = b1;
	put_le16(p + 2, flags);
	p[4] = b4;
	p[5] = b5;
	p[6] = b6;
	p[7] = b7;
	return p + MP_SHORT_ENTRY_SIZE;
}

static uint8_t *put_bus(uint8_t *p, uint8_t id, const char type[6])
{
	memset(p, 0, MP_SHORT_ENTRY_SIZE);
	p[0] = ENTRY_BUS;
	p[1] = id;
	memcpy(p + 2, type, 6);
	return p + MP_SHORT_ENTRY_SIZE;
}

size_t mp_build_config(uint8_t *out, unsigned cpus)
{
	const size_t length = MP_CONFIG_SIZE(cpus);
	memset(out, 0, length);
	memcpy(out, "PCMP", 4);
	put_le16(out + 4, (uint16_t)length);
	out[6] = MP_SPEC_REV_1_4;
	memcpy(out + 8, MP_OEM_ID, 8);
	memcpy(out + 16, MP_PRODUCT_ID, 12);
	put_le16(out + 34,
		 (uint16_t)(cpus + MP_BUSES + 1 + MP_IO_INTERRUPTS + MP_LOCAL_INTERRUPTS));
	put_le32(out + 36, PC_LAPIC_ADDRESS);

	uint8_t *p = out + MP_HEADER_SIZE;
	for (unsigned i = 0; i < cpus; i++, p += MP_PROCESSOR_SIZE) {
		p[0] = ENTRY_PROCESSOR;
		p[1] = (uint8_t)i; /* local APIC ID: KVM gives vCPU i the ID i */
		p[2] = LAPIC_VERSION;
		p[3] = (uint8_t)(CPU_ENABLED | (i == 0 ? CPU_BOOTSTRAP : 0));
		/* CPU signature (bytes 4-7) 0: the real one is CPUID's, which the OS reads. */
		put_le32(p + 8, CPU_FEATURES);
	}
	p = put_bus(p, PCI_BUS_ID, "PCI   ");
	p = put_bus(p, ISA_BUS_ID, "ISA   ");
	p = put_short(p, ENTRY_IOAPIC, PC_IOAPIC_ID, IOAPIC_VERSION | IOAPIC_ENABLED << 8, 0, 0, 0,
		      0);
	put_le32(p - 4, PC_IOAPIC_ADDRESS);
	/* ISA IRQ n on IOAPIC pin n, but the PIT's IRQ 0 on pin 2 (as the MADT's override says)
	 * and IRQ 2, the PICs' cascade, nowhere; the SCI is level-triggered, active high. */
	for (uint8_t irq = 0; irq < PC_ISA_IRQS; irq++) {
		if (irq == PC_PIT_GSI)
			continue;
		uint8_t pin = irq == PC_PIT_ISA_IRQ ? PC_PIT_GSI : irq;
		uint16_t flags = irq == PC_ACPI_SCI_IRQ ? FLAGS_LEVEL_HIGH : FLAGS_CONFORMS;
		p = put_short(p, ENTRY_IO_INTERRUPT, INT_VECTORED, flags, ISA_BUS_ID, irq,
			      PC_IOAPIC_ID, pin);
	}
	/* The 8259s' output on every LAPIC's LINT0 (virtual wire mode), NMI on LINT1. */
	p = put_short(p, ENTRY_LOCAL_INTERRUPT, INT_EXTINT, FLAGS_CONFORMS, ISA_BUS_ID, 0,
		      ALL_LAPICS, 0);
	put_short(p, ENTRY_LOCAL_INTERRUPT, INT_NMI, FLAGS_CONFORMS, ISA_BUS_ID, 0, ALL_LAPICS, 1);
	table_fix_checksum(out, length, out + 7);
	return length;
}
