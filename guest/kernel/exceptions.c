/* SPDX-License-Identifier: MIT */
/*
 * Loading the IDT (its gates are data: idt.S) and the common exception report. This toy kernel
 * treats every CPU exception as fatal: it prints what happened and ends the run, with
 * GUEST_STATUS_USER_FAULT if ring 3 faulted and GUEST_STATUS_KERNEL_FAULT if the kernel did.
 */
#include <stdint.h>
#include <stdnoreturn.h>

#include "minivmm/boot_abi.h"
#include "guest/x86.h"
#include "console.h"
#include "cpu_tables.h"
#include "kernel_layout.h"

/* A 64-bit interrupt gate, 16 bytes (Intel SDM vol. 3A 6.14.1; the layout is in idt.S). */
struct idt_gate {
	uint64_t low;
	uint64_t high;
};

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

/* idt.S: vectors 0..SYSCALL_VECTOR, and the IRQ gates interrupts.c asks for. */
extern struct idt_gate idt[SYSCALL_VECTOR + 1];
extern const struct idt_gate irq_gates[IRQ_COUNT];

/* The LIDT operand, a constant: loading it is one instruction. */
static const struct descriptor_table_register idtr = {sizeof(idt) - 1, (uint64_t)idt};

void idt_init(void)
{
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

/* One `rep movsq`: KVM's emulator runs it as one instruction. */
void idt_install_irq_gates(void)
{
	void *to = &idt[IRQ_VECTOR_BASE];
	const void *from = irq_gates;
	uint64_t words = sizeof(irq_gates) / 8;

	__asm__ volatile("rep movsq" : "+D"(to), "+S"(from), "+c"(words) : : "memory");
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
