/* SPDX-License-Identifier: MIT */
/*
 * kputs/kprintf on top of the serial driver and the shared formatter (guest/lib/format.c), and
 * machine_exit. Kernel messages are rare (boot banner, fault reports), so these favour size.
 */
#include <stdarg.h>
#include <stdint.h>

#include "minivmm/boot_abi.h"
#include "guest/format.h"
#include "guest/x86.h"
#include "console.h"
#include "serial.h"

/* Serializes kernel messages between CPUs (the APs' hellos, smp.c): XCHG with memory is locked
 * without a prefix (Intel SDM vol. 3A 9.1.2.1), and a waiter spins on plain reads. A fault
 * report from inside a message would wait forever, which does not happen in this kernel. */
static uint32_t console_lock;

static void console_acquire(void)
{
	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&console_lock, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static void console_release(void)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void kputs(const char *text)
{
	console_acquire();
	serial_write_string(text);
	console_release();
}

static void serial_sink(void *ctx, const char *piece, size_t len)
{
	(void)ctx;
	serial_write(piece, len);
}

int kprintf(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	console_acquire();
	int len = format_v(serial_sink, 0, fmt, args);
	console_release();
	va_end(args);
	return len;
}

noreturn void machine_exit(unsigned status)
{
	outb(MINIVMM_EXIT_PORT, (uint8_t)status);
	/* Still running: not minivmm. Try QEMU's isa-debug-exit, then stop the CPU for good (with
	 * IF clear, HLT only wakes for NMI/SMI, hence the loop). */
	outb(MINIVMM_ISA_DEBUG_EXIT_PORT, (uint8_t)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}
