/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by the kernel's C and assembly files (so: preprocessor only, no C types).
 */
#ifndef GUEST_KERNEL_LAYOUT_H
#define GUEST_KERNEL_LAYOUT_H

/* One kernel stack: the boot path, then every syscall and exception (TSS.RSP0 points here too).
 * Only hardware interrupts nest, on top of a system call waiting in `sti; hlt` (interrupts.c);
 * their handlers are a few words deep. */
#define KERNEL_STACK_SIZE 16384

/* Application processors (smp.c): MINIVMM_AP_MAGIC (boot_abi.h is C only) in RSI at the entry,
 * and one small stack each for cpus 1..KERNEL_MAX_CPUS-1 (they only print and park). */
#define KERNEL_AP_MAGIC	     0x50414d4d
#define KERNEL_MAX_CPUS	     8
#define KERNEL_AP_STACK_SIZE 4096
/* --sipi-smp: where smp.c copies ap_trampoline.S (SIPI vector 0x10: at or above the VMM's
 * reserved 64 KiB, below 1 MiB, 4 KiB aligned). */
#define KERNEL_TRAMPOLINE_GPA 0x10000

/* GDT selectors (gdt_tss.c), laid out as SYSCALL/SYSRET require through IA32_STAR (Intel SDM
 * vol. 3A 5.8.8): kernel data = kernel code + 8; user data = SYSRET base + 8 and 64-bit user
 * code = SYSRET base + 16, with the base 0x13 here. Kernel code and data keep the boot GDT's
 * selectors so the segment registers the VMM loaded stay valid when our GDT replaces the boot
 * one. */
#define GDT_KERNEL_CODE	 0x08
#define GDT_KERNEL_DATA	 0x10
#define GDT_USER_DATA	 (0x18 | 3)
#define GDT_USER_CODE	 (0x20 | 3)
#define GDT_TSS		 0x28 /* a 16-byte system descriptor: slots 5 and 6 */
#define GDT_ENTRIES	 7
#define STAR_SYSRET_BASE (GDT_USER_DATA - 8) /* 0x13: SYSRET loads SS 0x1b, CS 0x23 */

/* The software-interrupt vector of system calls (int $0x80, a DPL-3 gate). On the development host
 * the SYSCALL instruction from ring 3 jumps to IA32_LSTAR without leaving ring 3, so programs
 * trap into the kernel with INT; see syscall_entry.S. */
#define SYSCALL_VECTOR 0x80

/* Hardware interrupts (interrupts.c, irq_stubs.S, the IRQ gates in idt.S): the 8259A PICs'
 * 16 inputs on vectors 0x20-0x2f, above the 32 exception vectors (Intel SDM vol. 3A 6.2). */
#define IRQ_VECTOR_BASE 0x20
#define IRQ_COUNT	16
#define IRQ_TIMER	0
#define IRQ_COM1	4
#define IRQ_RTC		8 /* the slave's input 0 */

/* The CPU exceptions' entry stubs (exception_stubs.S): one per vector 0-31, a fixed distance apart,
 * so exceptions.c computes each gate's handler from the first (EXCEPTION_STUB_SIZE is a power of
 * two, and so is the whole block). */
#define EXCEPTION_VECTORS   32
#define EXCEPTION_STUB_SIZE 16

/* Initial RFLAGS in ring 3: only the always-one bit 1. IOPL stays 0, so port access from ring 3
 * goes through the TSS I/O bitmap. IF is added at boot when there is an interrupt controller
 * (interrupts.c: user_rflags); on a polled machine it stays clear. */
#define USER_RFLAGS 0x2

#endif
