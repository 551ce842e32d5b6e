/* SPDX-License-Identifier: MIT */
/*
 * The IDT (Intel SDM vol. 3A 6.10, 6.14.1): the 32 exception gates and the system-call gate, and
 * the common exception report. This toy kernel
 * treats every CPU exception as fatal: it prints what happened and ends the run, with
 * GUEST_STATUS_USER_FAULT if ring 3 faulted and GUEST_STATUS_KERNEL_FAULT if the kernel did.
 *
 * Every ring-0 instruction is emulated on the development host, so the gates are written with as
 * few instructions as possible: one 8-byte store per gate, the 32 exception gates in an unrolled
 * loop that advances one template (set_gates).
 */
#include <stdint.h>
#include <stdnoreturn.h>

#include "minivmm/boot_abi.h"
#include "guest/x86.h"
#include "console.h"
#include "cpu_tables.h"
#include "kernel_layout.h"

/* A 64-bit interrupt gate, 16 bytes (Intel SDM vol. 3A 6.14.1, figure 6-8), as two quadwords:
 *   low:  bits 15:0 offset 15:0, 31:16 code segment selector, 34:32 IST (0: no stack switch),
 *         43:40 type, 46:45 DPL, 47 P, 63:48 offset 31:16
 *   high: bits 31:0 offset 63:32, 63:32 reserved (must be 0)
 * Only `low` is ever written. `high` stays 0: every handler is in the kernel, which guest.ld links
 * below 2 MiB (offset 63:32 = 0), and the IDT is in .bss, which both boot paths zero (the ELF
 * loader; the Multiboot image stores .bss as zeros). */
struct idt_gate {
	uint64_t low;
	uint64_t high;
};

/* P, DPL 0 (INT n from ring 3 cannot reach these: it takes a #GP instead), type 0xe: 64-bit
 * interrupt gate (IF cleared on entry). The system-call gate has DPL 3 so INT $0x80 may use it. */
#define GATE_INTERRUPT_DPL0 0x8eull
#define GATE_INTERRUPT_DPL3 0xeeull

/* What exception_stubs.S leaves on the stack, lowest address first. */
struct exception_frame {
	uint64_t vector;
	uint64_t error_code; /* 0 for vectors without one */
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

extern const char exception_stubs[];	  /* EXCEPTION_VECTORS stubs, EXCEPTION_STUB_SIZE apart */
extern const char syscall_trap_entry[];	  /* syscall_entry.S */
extern const char invalid_opcode_entry[]; /* syscall_entry.S: #UD, or INT $0x80 on PVM */

#define VECTOR_INVALID_OPCODE 6

/* Vectors 32..SYSCALL_VECTOR-1 stay not present (a fault if ever raised) unless interrupts.c
 * installs IRQ gates there. */
static struct idt_gate idt[SYSCALL_VECTOR + 1] __attribute__((aligned(16)));

/* The LIDT operand, a constant: loading it is one instruction. */
static const struct descriptor_table_register idtr = {sizeof(idt) - 1, (uint64_t)idt};

static uint64_t gate_low(const void *handler_address, uint64_t flags)
{
	uint64_t handler = (uint64_t)handler_address;

	return (handler & 0xffff) | (uint64_t)GDT_KERNEL_CODE << 16 | flags << 40 |
	       (handler >> 16 & 0xffff) << 48;
}

/* Gates [first, first + count), the handler of gate first + i at handler + i * stride: one
 * template quadword, stored and then advanced by the stride. Adding to the whole quadword adds
 * to offset 15:0 only, so the handlers must lie inside one 64 KiB-aligned block (offset 31:16
 * never needs the carry): true for stride 0, and for the exception stubs by their alignment
 * (exception_stubs.S). Each loop iteration's increment, compare and branch are emulated too, so
 * the loop is unrolled: 2.5 instructions per gate of stubs, 1.5 per copy of one gate (objdump). */
static void set_gates(unsigned first, unsigned count, const void *handler, uint64_t stride,
		      uint64_t flags)
{
	uint64_t low = gate_low(handler, flags);

#pragma GCC unroll 8
	for (struct idt_gate *gate = &idt[first]; gate != &idt[first + count]; gate++) {
		gate->low = low;
		low += stride;
	}
}

void idt_init(void)
{
	set_gates(0, EXCEPTION_VECTORS, exception_stubs, EXCEPTION_STUB_SIZE, GATE_INTERRUPT_DPL0);
	idt[VECTOR_INVALID_OPCODE].low = gate_low(invalid_opcode_entry, GATE_INTERRUPT_DPL0);
	idt[SYSCALL_VECTOR].low = gate_low(syscall_trap_entry, GATE_INTERRUPT_DPL3);
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

void idt_set_interrupt_gates(unsigned first_vector, unsigned count, const void *handler)
{
	if (first_vector >= EXCEPTION_VECTORS && first_vector <= SYSCALL_VECTOR &&
	    count <= SYSCALL_VECTOR - first_vector)
		set_gates(first_vector, count, handler, 0, GATE_INTERRUPT_DPL0);
}

void idt_set_interrupt_gate(unsigned vector, const void *handler)
{
	if (vector >= EXCEPTION_VECTORS && vector < SYSCALL_VECTOR)
		idt[vector].low = gate_low(handler, GATE_INTERRUPT_DPL0);
}

static const char *const exception_names[EXCEPTION_VECTORS] = {
    [0] = "divide error",
    [1] = "debug",
    [2] = "non-maskable interrupt",
    [3] = "breakpoint",
    [4] = "overflow",
    [5] = "bound range exceeded",
    [6] = "invalid opcode",
    [7] = "device not available",
    [8] = "double fault",
    [9] = "coprocessor segment overrun",
    [10] = "invalid TSS",
    [11] = "segment not present",
    [12] = "stack-segment fault",
    [13] = "general protection",
    [14] = "page fault",
    [16] = "x87 floating-point",
    [17] = "alignment check",
    [18] = "machine check",
    [19] = "SIMD floating-point",
    [20] = "virtualization",
    [21] = "control protection",
    [28] = "hypervisor injection",
    [29] = "VMM communication",
    [30] = "security",
};

noreturn void exception_report(const struct exception_frame *frame);

noreturn void exception_report(const struct exception_frame *frame)
{
	const char *name = exception_names[frame->vector & (EXCEPTION_VECTORS - 1)];
	/* The privilege level the exception interrupted is the RPL of the saved CS. */
	int from_user = (frame->cs & 3) == 3;

	kprintf("guest: %s exception (vector %lu) error code 0x%lx at RIP 0x%lx CR2 0x%lx in %s "
		"mode\n",
		name ? name : "reserved", frame->vector, frame->error_code, frame->rip, read_cr2(),
		from_user ? "user" : "kernel");
	machine_exit(from_user ? GUEST_STATUS_USER_FAULT : GUEST_STATUS_KERNEL_FAULT);
}
