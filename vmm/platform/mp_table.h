/* SPDX-License-Identifier: MIT */
/*
 * The Intel MultiProcessor Specification 1.4 tables (chapter 4), for kernels that look for them
 * instead of ACPI's MADT: the MP floating pointer structure and the MP configuration table it
 * points to, describing the same machine as the MADT (acpi_tables.c): a processor per vCPU, a
 * PCI bus 0 and an ISA bus, the IOAPIC, the ISA interrupts (IRQ 0 on pin 2) and the local
 * interrupts ExtINT (LINT0) and NMI (LINT1). firmware.c places them.
 */
#ifndef MINIVMM_PLATFORM_MP_TABLE_H
#define MINIVMM_PLATFORM_MP_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "platform/pc_layout.h"

#define MP_FLOATING_SIZE    16u		       /* 4.1, one 16-byte paragraph */
#define MP_HEADER_SIZE	    44u		       /* 4.2 configuration table header */
#define MP_PROCESSOR_SIZE   20u		       /* 4.3.1 */
#define MP_SHORT_ENTRY_SIZE 8u		       /* bus, I/O APIC, I/O and local interrupt entries */
#define MP_BUSES	    2u		       /* PCI bus 0, ISA bus 1 */
#define MP_IO_INTERRUPTS    (PC_ISA_IRQS - 1u) /* every ISA IRQ but 2 (the cascade) */
#define MP_LOCAL_INTERRUPTS 2u		       /* ExtINT on LINT0, NMI on LINT1 */
#define MP_CONFIG_SIZE(cpus)                                                                       \
	(MP_HEADER_SIZE + MP_PROCESSOR_SIZE * (cpus) +                                             \
	 MP_SHORT_ENTRY_SIZE * (MP_BUSES + 1u + MP_IO_INTERRUPTS + MP_LOCAL_INTERRUPTS))

/* The floating pointer to a configuration table at config_gpa, its checksum set. */
void mp_build_floating(uint8_t *out, uint32_t config_gpa);

/* The configuration table for cpus vCPUs (1..PC_FIRMWARE_MAX_CPUS) into out (MP_CONFIG_SIZE(cpus)
 * bytes); returns its length. */
size_t mp_build_config(uint8_t *out, unsigned cpus);

#endif
