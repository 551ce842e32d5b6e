/* SPDX-License-Identifier: MIT */
/*
 * What a PC's firmware leaves in memory for a kernel, written into guest RAM when the VM is built
 * and again at every reboot (machine/vm.c), whatever the boot protocol:
 *   - the BIOS data area's EBDA pointer (0x40E) and base memory size (0x413);
 *   - the EBDA (1 KiB at PC_EBDA_BASE) holding a copy of the RSDP, found through 0x40E;
 *   - in [PC_FIRMWARE_BASE, PC_FIRMWARE_END): the RSDP (found by the 0xE0000-0xFFFFF scan), the
 *     FACS, XSDT, RSDT, FADT, MADT and DSDT (acpi_tables.h), the MP floating pointer and
 *     configuration table (mp_table.h).
 * With interrupt_controllers false (--no-irqchip: no LAPIC, IOAPIC or PICs) there is no MADT and
 * no MP table: they would describe hardware the machine does not have. The FADT's fixed hardware
 * (PM timer, PM1 sleep control, reset register) works polled, so the rest stays.
 * docs/platform.md describes the result.
 */
#ifndef MINIVMM_PLATFORM_FIRMWARE_H
#define MINIVMM_PLATFORM_FIRMWARE_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/guest_mem.h"
#include "util/vmm_error.h"

/* Writes everything above for cpus vCPUs (1..PC_FIRMWARE_MAX_CPUS). A guest image loaded at
 * [image_begin, image_end) (its whole span) must not overlap what minivmm writes below 1 MiB
 * (pc_memory_written_overlap()): that is refused (status VMM_EXIT_GUEST_IMAGE) before anything
 * is written. A multiboot kernel's pieces were checked one by one already. */
int pc_firmware_write(struct guest_mem *mem, unsigned cpus, bool interrupt_controllers,
		      uint64_t image_begin, uint64_t image_end, struct vmm_error *err);

#endif
