/*
 * The IDT (Intel SDM vol. 3A 6.10, 6.14.1): the 32 exception gates and the system-call gate, and
 * the common exception report. This toy kernel
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

#define EXCEPTION_VECTORS   32
#define EXCEPTION_STUB_SIZE 16 /* exception_stubs.S */

/* 64-bit interrupt/trap gate, 16 bytes (Intel SDM vol. 3A 6.14.1, figure 6-8). */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;   /* interrupt stack table index, 0 = none */
	uint8_t flags; /* P, DPL, type */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

/* P, DPL 0 (INT n from ring 3 cannot reach these: it takes a #GP instead), type 0xe: 64-bit
 * interrupt gate (IF cleared on entry). The system-call gate has DPL 3 so INT $0x80 may use it. */
#define GATE_INTERRUPT_DPL0 0x8e
#define GATE_INTERRUPT_DPL3 0xee

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

extern const char exception_stubs[];
extern const char syscall_trap_entry[];	  /* syscall_entry.S */
extern const char invalid_opcode_entry[]; /* syscall_entry.S: #UD, or INT $0x80 on PVM */

#define VECTOR_INVALID_OPCODE 6

/* Vectors 32..SYSCALL_VECTOR-1 stay not present (a fault if ever raised). */
static struct idt_gate idt[SYSCALL_VECTOR + 1] __attribute__((aligned(16)));

static void set_gate(unsigned vector, const void *handler_address, uint8_t flags)
{
	uint64_t handler = (uint64_t)handler_address;

	idt[vector] = (struct idt_gate){
	    .offset_low = (uint16_t)handler,
	    .selector = GDT_KERNEL_CODE,
	    .flags = flags,
	    .offset_mid = (uint16_t)(handler >> 16),
	    .offset_high = (uint32_t)(handler >> 32),
	};
}

void idt_init(void)
{
	for (unsigned vector = 0; vector < EXCEPTION_VECTORS; vector++)
		set_gate(vector, exception_stubs + vector * EXCEPTION_STUB_SIZE,
			 GATE_INTERRUPT_DPL0);
	set_gate(VECTOR_INVALID_OPCODE, invalid_opcode_entry, GATE_INTERRUPT_DPL0);
	set_gate(SYSCALL_VECTOR, syscall_trap_entry, GATE_INTERRUPT_DPL3);
	struct descriptor_table_register idtr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

void idt_set_interrupt_gate(unsigned vector, const void *handler)
{
	if (vector >= EXCEPTION_VECTORS && vector < SYSCALL_VECTOR)
		set_gate(vector, handler, GATE_INTERRUPT_DPL0);
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
