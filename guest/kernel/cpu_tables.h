/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own descriptor tables: GDT with user segments and a TSS (gdt_tss.c), and the IDT
 * of exception, interrupt and system-call gates (exceptions.c).
 */
#ifndef GUEST_CPU_TABLES_H
#define GUEST_CPU_TABLES_H

#include <stdint.h>

/* The operand of LGDT/LIDT (Intel SDM vol. 3A 3.5.1, 6.10). */
struct descriptor_table_register {
	uint16_t limit; /* size in bytes minus one */
	uint64_t base;
} __attribute__((packed));

/* Replaces the boot GDT with ours and loads the task register. */
void gdt_tss_init(void);

/* Lets ring 3 use ports [port, port + count) directly by clearing their bits in the TSS I/O
 * permission bitmap. Returns 0, or -1 for an empty range or one past port 0xffff. */
int tss_grant_io_ports(uint64_t port, uint64_t count);

/* Loads the IDT (idt.S): the 32 exception gates and the system-call gate. */
void idt_init(void);

/* Installs the gates of the 16 PIC inputs, IRQ_VECTOR_BASE + 0..15 (idt.S: irq_gates). */
void idt_install_irq_gates(void);

#endif
