/* SPDX-License-Identifier: MIT */
/*
 * 8250/16550 UART driver, polled (National Semiconductor PC16550D datasheet; register offsets
 * from the base port below). Every port access is a VM exit and every ring-0 instruction is
 * emulated on the development host, so the driver does the least the hardware contract asks:
 * wait for LSR.THRE, write THR.
 */
#include <stdint.h>

#include "minivmm/boot_abi.h"
#include "guest/x86.h"
#include "serial.h"

#define COM1 MINIVMM_UART_COM1_PORT

#define UART_THR 0 /* transmit holding register (write, DLAB = 0) */
#define UART_IER 1 /* interrupt enable register (DLAB = 0) */
#define UART_LCR 3 /* line control register */
#define UART_LSR 5 /* line status register */

#define LCR_8N1	 0x03 /* 8 data bits, no parity, 1 stop bit, DLAB = 0 */
#define LSR_THRE 0x20 /* transmit holding register empty: THR may be written */

void serial_init(void)
{
	/* No interrupts (the machine has no interrupt controller yet) and a plain 8N1 frame. The
	 * baud-rate divisor is left alone: a virtual UART has no line speed. */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
}

static void serial_put_byte(char byte)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		;
	outb(COM1 + UART_THR, (uint8_t)byte);
}

static void serial_put_char(char c)
{
	if (c == '\n')
		serial_put_byte('\r');
	serial_put_byte(c);
}

void serial_write(const char *text, size_t len)
{
	for (const char *end = text + len; text != end; text++)
		serial_put_char(*text);
}

void serial_write_string(const char *text)
{
	for (; *text; text++)
		serial_put_char(*text);
}
