/*
 * kputs/kprintf on top of the serial driver and the shared formatter (guest/lib/format.c), and
 * machine_exit. Kernel messages are rare (boot banner, fault reports), so these favour size.
 */
#include <stdarg.h>
#include <stdint.h>

#include "minivmm/boot_abi.h"
#include "guest/format.h"
#include "guest/string.h"
#include "guest/x86.h"
#include "console.h"
#include "serial.h"

void kputs(const char *text)
{
	serial_write(text, strlen(text));
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
	int len = format_v(serial_sink, 0, fmt, args);
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
