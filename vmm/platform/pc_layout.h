/* SPDX-License-Identifier: MIT */
/*
 * The PC platform's fixed addresses, ports and interrupt lines: the one list that the firmware
 * tables (ACPI, MP), the boot loaders' memory map and the platform devices all read, so a table
 * can never name a port that no device serves. docs/platform.md explains each entry.
 *
 * Low memory, as a PC BIOS leaves it for a kernel loaded by GRUB or QEMU's -kernel:
 *   [0, 0x1000)                  reserved: real-mode IVT and BIOS data area (EBDA pointer 0x40E)
 *   [0x1000, PC_EBDA_BASE)       available: a kernel, its modules, its AP trampoline
 *   [PC_EBDA_BASE, 0xA0000)      reserved: the extended BIOS data area (1 KiB)
 *   [0xA0000, 0xE0000)           reserved: the VGA window and option ROM space (nothing mapped
 *                                there by minivmm, RAM reads as RAM)
 *   [PC_BOOT_DATA_BASE, ...END)  reserved: minivmm's own multiboot structures (GDT, info, map,
 *                                strings, module list)
 *   [PC_FIRMWARE_BASE, 1 MiB)    reserved: the BIOS area: ACPI tables and the MP table in its
 *                                first page (up to PC_FIRMWARE_TABLES_END)
 * A multiboot kernel may still load into the parts of the reserved hole minivmm does not write
 * (as under QEMU, where an ELF linked with -Ttext=0x100000 puts its headers at 0xFF000):
 * pc_memory_map.h keeps the two lists.
 */
#ifndef MINIVMM_PLATFORM_PC_LAYOUT_H
#define MINIVMM_PLATFORM_PC_LAYOUT_H

#define PC_LOW_RESERVED_END 0x1000ull  /* IVT + BDA: a kernel may load from here up */
#define PC_BDA_EBDA_SEGMENT 0x40eull   /* BDA word: EBDA segment (ACPI 6.5 5.2.5.1) */
#define PC_EBDA_BASE	    0x9fc00ull /* 1 KiB EBDA at the top of base memory */
#define PC_BASE_MEMORY_END  0xa0000ull /* 640 KiB */
#define PC_BOOT_DATA_BASE   0xe0000ull /* minivmm's multiboot structures */
#define PC_BOOT_DATA_END    0xf0000ull
#define PC_FIRMWARE_BASE    0xf0000ull	/* ACPI and MP tables (RSDP searched 0xE0000-0xFFFFF) */
#define PC_FIRMWARE_END	    0x100000ull /* 1 MiB */
#define PC_ACPI_RSDP_GPA    0xf0000ull	/* 16-byte aligned (ACPI 6.5 5.2.5.1) */
#define PC_ACPI_FACS_GPA                                                                           \
	0xf0040ull /* 64-byte aligned (5.2.10); its waking vectors are                             \
		    * what an S3 resume jumps to */

/* ACPI fixed hardware (ACPI 6.5 4.8): one PM1a register block, no PM1b, no GPE blocks. */
#define PC_ACPI_PM_BASE	     0x600
#define PC_ACPI_PM1A_EVT_BLK (PC_ACPI_PM_BASE + 0x0) /* PM1_STS (2 bytes) + PM1_EN (2 bytes) */
#define PC_ACPI_PM1A_CNT_BLK (PC_ACPI_PM_BASE + 0x4) /* PM1_CNT, 2 bytes */
#define PC_ACPI_PM_TMR_BLK   (PC_ACPI_PM_BASE + 0x8) /* PM_TMR, 4 bytes, 3.579545 MHz */
#define PC_ACPI_PM_TMR_HZ    3579545u
#define PC_ACPI_PM_TMR_32BIT 1 /* FADT flag TMR_VAL_EXT: the timer counts all 32 bits */
#define PC_ACPI_SLP_TYP_S5   0 /* the \_S5 package's value in the DSDT */
#define PC_ACPI_SLP_TYP_S3   1 /* the \_S3 package's value in the DSDT */
#define PC_ACPI_SCI_IRQ	     9 /* ISA IRQ 9, level, active high (as on PIIX4 and ICH) */

/* The reset register (FADT RESET_REG): the reset control register, RST_CPU | SYS_RST. */
#define PC_RESET_REG_PORT  0xcf9
#define PC_RESET_REG_VALUE 0x06

/* PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2). */
#define PC_PCI_CONFIG_ADDRESS 0xcf8 /* 32-bit accesses only; 0xCF9 stays the reset register */
#define PC_PCI_CONFIG_DATA    0xcfc

/* The interrupt controllers KVM emulates (irqchip.c) and where the tables say they are. */
#define PC_IOAPIC_ID	  0
#define PC_IOAPIC_ADDRESS 0xfec00000u
#define PC_IOAPIC_PINS	  24
#define PC_LAPIC_ADDRESS  0xfee00000u
#define PC_PIT_ISA_IRQ	  0 /* routed to IOAPIC pin 2: the MADT's override */
#define PC_PIT_GSI	  2

/* Low memory in detail (firmware.c, pc_memory_map.c, the multiboot loader). */
#define PC_BDA_BASE_MEM_KIB    0x413ull	   /* BDA word: KiB of base memory below the EBDA */
#define PC_EBDA_SIZE_KIB       1	   /* the EBDA's first byte: its size in KiB */
#define PC_UPPER_MEMORY_BASE   0x100000ull /* extended memory: available from here to RAM's end */
#define PC_FIRMWARE_TABLES_END 0xf1000ull  /* what the tables use of the BIOS area */
#define PC_FIRMWARE_MAX_CPUS   8 /* processors the tables are sized for (machine/vm.c checks) */

/* Inside [PC_BOOT_DATA_BASE, PC_BOOT_DATA_END), for a multiboot boot: the flat 32-bit GDT first,
 * the boot information after it, and at the top a stack ESP points to at the entry (3.2 leaves
 * ESP undefined; this keeps a kernel's stray push out of its own image). */
#define PC_BOOT_GDT_GPA	  PC_BOOT_DATA_BASE
#define PC_BOOT_INFO_GPA  (PC_BOOT_DATA_BASE + 0x40)
#define PC_BOOT_STACK_TOP PC_BOOT_DATA_END
#define PC_BOOT_INFO_END  (PC_BOOT_STACK_TOP - 0x1000)

/* ISA lines the tables name (MADT overrides, MP interrupt entries, DSDT _CRS). */
#define PC_ACPI_SCI_GSI PC_ACPI_SCI_IRQ /* identity-mapped, but level/high: its override */
#define PC_COM1_IRQ	4		/* ISA line of COM1 (port MINIVMM_UART_COM1_PORT) */
#define PC_ISA_IRQS	16

#endif
