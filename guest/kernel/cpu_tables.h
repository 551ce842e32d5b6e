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

/* Installs the 32 exception gates and the system-call gate, and loads the IDT. */
void idt_init(void);

/* Points vectors [first_vector, first_vector + count), all within 32-0x7f, at one handler through
 * DPL-0 interrupt gates (interrupts.c). A range outside that is ignored. */
void idt_set_interrupt_gates(unsigned first_vector, unsigned count, const void *handler);

/* The same for one vector. */
void idt_set_interrupt_gate(unsigned vector, const void *handler);

#endif
