/* SPDX-License-Identifier: MIT */
/*
 * System-call handlers and their table. syscall_entry.S calls table[rax] with the user's
 * arguments; each handler is an ordinary C function of up to four integer arguments.
 *
 * Every pointer from ring 3 is checked against the program's own memory [__user_begin,
 * __user_end) before the kernel touches it: with SMAP off, a kernel access through an unchecked
 * pointer would read or write kernel memory on the program's behalf.
 */
#include <stdint.h>
#include <stdnoreturn.h>

#include "minivmm/boot_abi.h"
#include "minivmm/workloads.h"
#include "guest/string.h"
#include "guest/syscall_numbers.h"
#include "guest/x86.h"
#include "console.h"
#include "cpu_tables.h"
#include "interrupts.h"
#include "kernel_layout.h"
#include "platform.h"
#include "serial.h"
#include "syscall.h"
#include "user_mode.h"

/* IA32_STAR: [47:32] SYSCALL CS (SS = CS + 8); [63:48] SYSRET base (SS = +8, 64-bit CS = +16). */
#define MSR_STAR  0xc0000081
#define MSR_LSTAR 0xc0000082 /* 64-bit SYSCALL entry point */
#define MSR_FMASK 0xc0000084 /* RFLAGS bits SYSCALL clears */

#define RFLAGS_TF 0x100
#define RFLAGS_IF 0x200
#define RFLAGS_DF 0x400
#define RFLAGS_NT 0x4000
#define RFLAGS_AC 0x40000

/* The address the test-only fault calls touch: 5 GiB, past the VMM's 4 GiB identity map, so the
 * page walk finds no PDPT entry and the CPU raises a page fault. */
#define UNMAPPED_ADDRESS (5ull << 30)

#define LARGE_PAGE	      (2ull << 20) /* the VMM maps everything with 2 MiB pages */
#define RUN_COMPUTE_MAX_ITERS (1ull << 30) /* a bound on one ring-0 loop */

extern char __user_begin[], __user_end[]; /* guest.ld */
extern void syscall_entry(void);

static const struct minivmm_boot_info *saved_boot_info;

/* True if [address, address + len) lies inside the program's memory (overflow-safe). */
static int user_range_ok(uint64_t address, uint64_t len)
{
	uint64_t begin = (uint64_t)__user_begin, end = (uint64_t)__user_end;

	return address >= begin && address <= end && len <= end - address;
}

static noreturn void sys_exit(uint64_t status)
{
	machine_exit((unsigned)status);
}

static int64_t sys_write(uint64_t buf, uint64_t len)
{
	if (!user_range_ok(buf, len))
		return -GUEST_EFAULT;
	serial_write((const char *)buf, len);
	return (int64_t)len;
}

static uint64_t sys_rdtsc(void)
{
	return rdtsc();
}

/* memcpy as one `rep movsq` and one `rep movsb`: the boot info is over 1 KiB, and KVM's
 * emulator runs a whole REP string instruction as one emulated instruction, where a loop would
 * cost five per word. x86 allows the unaligned stores an odd user buffer needs. */
static void copy_words(void *dst, const void *src, uint64_t len)
{
	uint64_t words = len / 8, bytes = len % 8;

	__asm__ volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"
			 : "+D"(dst), "+S"(src), "+c"(words)
			 : "r"(bytes)
			 : "memory");
}

static int64_t sys_boot_info(uint64_t buf, uint64_t len)
{
	if (len > sizeof(*saved_boot_info))
		len = sizeof(*saved_boot_info);
	if (!user_range_ok(buf, len))
		return -GUEST_EFAULT;
	copy_words((void *)buf, saved_boot_info, len);
	return (int64_t)len;
}

/* The "driver touches the device register" path, on the program's behalf: ring 3 itself has no
 * port access (TSS I/O bitmap all ones). */
static int64_t sys_port_read(uint64_t port, uint64_t width)
{
	if (port > 0xffff)
		return -GUEST_EINVAL;
	switch (width) {
	case 1:
		return inb((uint16_t)port);
	case 2:
		return inw((uint16_t)port);
	case 4:
		return inl((uint16_t)port);
	default:
		return -GUEST_EINVAL;
	}
}

static int64_t sys_port_write(uint64_t port, uint64_t width, uint64_t value)
{
	if (port > 0xffff)
		return -GUEST_EINVAL;
	switch (width) {
	case 1:
		outb((uint16_t)port, (uint8_t)value);
		return 0;
	case 2:
		outw((uint16_t)port, (uint16_t)value);
		return 0;
	case 4:
		outl((uint16_t)port, (uint32_t)value);
		return 0;
	default:
		return -GUEST_EINVAL;
	}
}

static noreturn void sys_test_kernel_fault(void)
{
	(void)*(volatile uint64_t *)UNMAPPED_ADDRESS;
	__builtin_unreachable();
}

static noreturn void sys_test_triple_fault(void)
{
	/* An IDT with no room for any gate: the page fault below cannot be delivered (#GP), neither
	 * can the double fault that follows, so the CPU shuts down (Intel SDM vol. 3A 6.15,
	 * interrupt 8) and minivmm sees KVM_EXIT_SHUTDOWN. */
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = {0, 0};
	__asm__ volatile("lidt %0" : : "m"(empty_idt) : "memory");
	(void)*(volatile uint64_t *)UNMAPPED_ADDRESS;
	__builtin_unreachable();
}

static int64_t sys_nop(void)
{
	return 0;
}

/* The guest's ioperm(): opens ports to ring 3 in the TSS I/O bitmap (Intel SDM vol. 1 19.5.2).
 * Each later in/out from ring 3 then reaches the port, i.e. exits to the VMM, with no kernel
 * involvement. */
static int64_t sys_ioport_grant(uint64_t port, uint64_t count)
{
	return tss_grant_io_ports(port, count) ? -GUEST_EINVAL : 0;
}

/* True if [gpa, gpa + len) lies inside the MMIO window [MINIVMM_MMIO_BASE, 4 GiB). */
static int mmio_range_ok(uint64_t gpa, uint64_t len)
{
	return gpa >= MINIVMM_MMIO_BASE && gpa < MINIVMM_IDENTITY_MAP_SIZE &&
	       len <= MINIVMM_IDENTITY_MAP_SIZE - gpa;
}

/* The guest's mmap of /dev/mem: sets U/S on the 2 MiB page holding gpa (and the PML4/PDPT entries
 * above it, vol. 3A 4.6.1), so ring-3 loads and stores there exit to the VMM as MMIO. Only the
 * MMIO window qualifies: no RAM lies there, so no kernel memory is exposed. */
static int64_t sys_mmio_map(uint64_t gpa)
{
	if (!mmio_range_ok(gpa, 1))
		return -GUEST_EINVAL;
	uint64_t page = gpa & ~(LARGE_PAGE - 1);
	if (make_user_accessible(page, page + LARGE_PAGE))
		return -GUEST_EINVAL;
	return (int64_t)gpa;
}

/* RAM for ring 3 (the memory workload): the whole 2 MiB pages from the end of the program's
 * region, which is above the kernel and everything the VMM reserved, up to the RAM size the boot
 * info gives. Returns the start address; the memory is not cleared. */
static int64_t sys_mem_map(uint64_t bytes)
{
	uint64_t start = ((uint64_t)__user_end + LARGE_PAGE - 1) & ~(LARGE_PAGE - 1);
	uint64_t ram_end = saved_boot_info->ram_size;

	if (ram_end > MINIVMM_RAM_MAX)
		ram_end = MINIVMM_RAM_MAX;
	if (bytes == 0 || start >= ram_end || bytes > ram_end - start)
		return -GUEST_EINVAL;
	uint64_t end = start + ((bytes + LARGE_PAGE - 1) & ~(LARGE_PAGE - 1));
	if (end > ram_end) /* the rounding up crossed the end of RAM */
		return -GUEST_EINVAL;
	if (make_user_accessible(start, end))
		return -GUEST_EINVAL;
	return (int64_t)start;
}

/* The driver path to an MMIO register: process -> system call -> driver -> register. */
static int64_t sys_mmio_write(uint64_t gpa, uint64_t value)
{
	if (gpa % 4 || !mmio_range_ok(gpa, 4))
		return -GUEST_EINVAL;
	*(volatile uint32_t *)gpa = (uint32_t)value;
	return 0;
}

/* The computation workload in ring 0. On VT-x/SVM it runs as fast as in ring 3; on the
 * development host every ring-0 instruction is emulated, so callers pass far fewer iterations.
 * The top bit is cleared so the checksum never reads as an error. */
static int64_t sys_run_compute(uint64_t iters)
{
	if (iters > RUN_COMPUTE_MAX_ITERS)
		return -GUEST_EINVAL;
	return (int64_t)(workload_compute(iters) & INT64_MAX);
}

/* Read by syscall_entry.S only, hence addresses rather than a C function-pointer type. */
const uintptr_t syscall_table[SYS_COUNT] = {
    [SYS_EXIT] = (uintptr_t)sys_exit,
    [SYS_WRITE] = (uintptr_t)sys_write,
    [SYS_RDTSC] = (uintptr_t)sys_rdtsc,
    [SYS_BOOT_INFO] = (uintptr_t)sys_boot_info,
    [SYS_PORT_READ] = (uintptr_t)sys_port_read,
    [SYS_PORT_WRITE] = (uintptr_t)sys_port_write,
    [SYS_TEST_KERNEL_FAULT] = (uintptr_t)sys_test_kernel_fault,
    [SYS_TEST_TRIPLE_FAULT] = (uintptr_t)sys_test_triple_fault,
    [SYS_NOP] = (uintptr_t)sys_nop,
    [SYS_IOPORT_GRANT] = (uintptr_t)sys_ioport_grant,
    [SYS_MMIO_MAP] = (uintptr_t)sys_mmio_map,
    [SYS_MEM_MAP] = (uintptr_t)sys_mem_map,
    [SYS_MMIO_WRITE] = (uintptr_t)sys_mmio_write,
    [SYS_RUN_COMPUTE] = (uintptr_t)sys_run_compute,
    [SYS_CONSOLE_READ] = (uintptr_t)sys_console_read,
    [SYS_TICKS] = (uintptr_t)sys_ticks,
    [SYS_TICK_HZ] = (uintptr_t)sys_tick_hz,
    [SYS_SLEEP_TICKS] = (uintptr_t)sys_sleep_ticks,
    [SYS_RTC_TIME] = (uintptr_t)sys_rtc_time,
    [SYS_REBOOT] = (uintptr_t)sys_reboot,
    [SYS_RTC_PERIODIC] = (uintptr_t)sys_rtc_periodic,
    [SYS_RTC_INTERRUPTS] = (uintptr_t)sys_rtc_interrupts,
};

void syscall_init(const struct minivmm_boot_info *boot_info)
{
	saved_boot_info = boot_info;
	/* SYSCALL: CS = 0x08, SS = 0x10. SYSRET (unused, see syscall_entry.S) would load
	 * SS = 0x13 + 8 = 0x1b and CS = 0x13 + 16 = 0x23. */
	wrmsr(MSR_STAR, (uint64_t)STAR_SYSRET_BASE << 48 | (uint64_t)GDT_KERNEL_CODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Enter with interrupts off, no single-step, string ops forward (the C ABI assumes DF = 0),
	 * no alignment checks and no nested-task flag, whatever ring 3 had. */
	wrmsr(MSR_FMASK, RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);
}
