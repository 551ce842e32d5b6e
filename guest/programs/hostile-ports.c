/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest for the security suite (docs/security.md): writes random values of random
 * widths (1, 2 or 4 bytes) to every I/O port 0-0xffff, and reads each back, straight from ring 3
 * (SYS_IOPORT_GRANT opens them all). minivmm must survive every access and keep the exit status.
 *
 * Skipped, because they end the run by design (each has its own tests): minivmm's exit port
 * 0x501-0x504, QEMU's isa-debug-exit 0xf4-0xf7, the reset ports 0x64 (i8042) and 0xcf9, and the
 * ACPI PM1 control register (a random SLP_EN powers off, or suspends to RAM until a wake that
 * never comes: docs/platform.md).
 * An access is skipped if any of its bytes falls on one of them. COM1 gets random bytes too (they
 * show on stdout); the program puts the UART back in a sane mode before printing its result.
 * Exits 0 after "hostile-ports: survived".
 *
 * On a machine with the in-kernel irqchip (the default) it also skips the ports KVM itself
 * answers, which never reach minivmm: the 8259A PICs (0x20-0x21, 0xa0-0xa1) and their ELCR
 * (0x4d0-0x4d1), the 8254 PIT (0x40-0x43) and the speaker port 0x61. Random bytes there would
 * reprogram this guest's own interrupt controllers (random vectors, an interrupt storm): the
 * guest's problem, not a test of the VMM. Every other port still reaches minivmm, now with its
 * devices raising interrupt lines into KVM.
 */
#include "guest/user.h"
#include "../../vmm/platform/pc_layout.h" /* the platform's ports, as minivmm decodes them */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void) /* xorshift64 */
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct port_range {
	unsigned first, last;
};

static const struct port_range ends_the_run[] = {{0x501, 0x504},
						 {0xf4, 0xf7},
						 {0x64, 0x64},
						 {PC_RESET_REG_PORT, PC_RESET_REG_PORT},
						 {PC_ACPI_PM1A_CNT_BLK, PC_ACPI_PM1A_CNT_BLK + 1}};
static const struct port_range in_kernel_irqchip[] = {
    {0x20, 0x21}, {0xa0, 0xa1}, {0x4d0, 0x4d1}, {0x40, 0x43}, {0x61, 0x61}};

static int overlaps(const struct port_range *ranges, unsigned count, unsigned port, unsigned width)
{
	for (unsigned i = 0; i < count; i++)
		if (port <= ranges[i].last && port + width - 1 >= ranges[i].first)
			return 1;
	return 0;
}

static int has_in_kernel_irqchip(void)
{
	static struct minivmm_boot_info info;
	return get_boot_info(&info, sizeof info) == (int64_t)sizeof info &&
	       (info.platform_flags & MINIVMM_PLATFORM_IRQCHIP);
}

static void port_out(uint16_t port, unsigned width, uint32_t value)
{
	if (width == 1)
		__asm__ volatile("outb %b0, %w1" ::"a"(value), "Nd"(port));
	else if (width == 2)
		__asm__ volatile("outw %w0, %w1" ::"a"(value), "Nd"(port));
	else
		__asm__ volatile("outl %0, %w1" ::"a"(value), "Nd"(port));
}

static uint32_t port_in(uint16_t port, unsigned width)
{
	uint32_t v = 0;
	if (width == 1)
		__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
	else if (width == 2)
		__asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port));
	else
		__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

int main(void)
{
	if (ioport_grant(0, 0x10000) != 0) {
		print("hostile-ports: SYS_IOPORT_GRANT failed\n");
		return 1;
	}
	int skip_irqchip = has_in_kernel_irqchip();
	unsigned writes = 0, reads = 0, skipped = 0;
	uint32_t mix = 0;
	for (unsigned port = 0; port <= 0xffff; port++) {
		uint64_t r = next_random();
		unsigned width = 1u << (r % 3);
		if (port + width > 0x10000)
			width = 1;
		if (overlaps(ends_the_run, sizeof ends_the_run / sizeof ends_the_run[0], port,
			     width) ||
		    (skip_irqchip &&
		     overlaps(in_kernel_irqchip,
			      sizeof in_kernel_irqchip / sizeof in_kernel_irqchip[0], port,
			      width))) {
			skipped++;
			continue;
		}
		port_out((uint16_t)port, width, (uint32_t)(r >> 32));
		writes++;
		mix ^= port_in((uint16_t)port, width);
		reads++;
	}
	/* COM1 back to 8N1, no loopback, no interrupts, FIFOs on: the result must be readable. */
	port_out(0x3fb, 1, 0x80); /* DLAB */
	port_out(0x3f8, 1, 1);	  /* divisor 1: 115200 baud */
	port_out(0x3f9, 1, 0);
	port_out(0x3fb, 1, 0x03);
	port_out(0x3f9, 1, 0);
	port_out(0x3fa, 1, 0x07);
	port_out(0x3fc, 1, 0x03);
	printf("\nhostile-ports: %u writes, %u reads, %u skipped (mix 0x%x)%s\n", writes, reads,
	       skipped, mix, skip_irqchip ? ", in-kernel irqchip ports left alone" : "");
	print("hostile-ports: survived\n");
	return 0;
}
