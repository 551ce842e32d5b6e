/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest for the security suite (docs/security.md): programs the UART with absurd
 * settings (divisor 0, divisor 0xffff, 5-bit words with stick parity, loopback on and off,
 * random FCR values) and then floods its transmit register straight from ring 3, without ever
 * looking at the line status: `bytes=N` on the command line (default 100000) bytes of
 * 'a'..'z' in a cycle, each line 64 bytes plus '\n'. A real 16550 at divisor 0 would send
 * nothing; minivmm's model has no baud rate and passes every byte to stdout, so the host sees
 * all of them (or a count of the lost ones if its stdout cannot keep up). Exits 0.
 */
#include "guest/user.h"

#define COM1 0x3f8

static void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %b0, %w1" ::"a"(value), "Nd"(port));
}

static uint64_t bytes_from_cmdline(void)
{
	static struct minivmm_boot_info info;
	if (get_boot_info(&info, sizeof info) != (int64_t)sizeof info)
		return 100000;
	const char *p = info.cmdline;
	while (*p && !(p[0] == 'b' && p[1] == 'y' && p[2] == 't' && p[3] == 'e' && p[4] == 's' &&
		       p[5] == '='))
		p++;
	if (!*p)
		return 100000;
	uint64_t n = 0;
	for (p += 6; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint64_t)(*p - '0');
	return n;
}

int main(void)
{
	uint64_t total = bytes_from_cmdline();
	if (ioport_grant(COM1, 8) != 0) {
		print("uart-flood: SYS_IOPORT_GRANT failed\n");
		return 1;
	}
	static const uint8_t divisors[][2] = {{0, 0}, {0xff, 0xff}, {1, 0}};
	for (unsigned i = 0; i < 3; i++) {
		outb(COM1 + 3, 0x80); /* DLAB */
		outb(COM1 + 0, divisors[i][0]);
		outb(COM1 + 1, divisors[i][1]);
		outb(COM1 + 3, 0x38 | 0x04); /* 5 bits, 2 stop, stick parity: nonsense */
		outb(COM1 + 2, (uint8_t)(0xc7 ^ i * 0x55)); /* FCR: odd trigger levels */
		outb(COM1 + 4, 0x10);			    /* loopback on... */
		outb(COM1 + 0, 'L');			    /* ...this byte goes to RX */
		outb(COM1 + 4, 0x0f);			    /* ...and off again */
	}
	outb(COM1 + 3, 0x80); /* divisor 0 again, and DLAB off: flood at "no baud rate" */
	outb(COM1 + 0, 0);
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03);
	for (uint64_t i = 0; i < total; i++)
		outb(COM1, i % 65 == 64 ? '\n' : (uint8_t)('a' + i % 26));
	printf("\nuart-flood: sent %lu bytes\n", (unsigned long)total);
	return 0;
}
