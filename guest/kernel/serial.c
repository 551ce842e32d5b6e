/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART driver, polled (National Semiconductor PC16550D datasheet; register offsets from the
 * base port below). Every port access is a VM exit and every ring-0 instruction is emulated on
 * the development host, so the driver does the least the hardware contract asks:
 *
 * - FIFO mode (FCR bit 0): once LSR.THRE is set the transmitter FIFO is empty and takes up to 16
 *   bytes without another look at LSR (datasheet 8.4, FCR; 8.8, LSR bit 5). So one LSR read per
 *   16 bytes instead of one per byte, as Linux's 8250 driver does with its fifosize.
 * - serial_init() switches FIFO mode on, which clears the receive FIFO (8.4, FCR0). Input that
 *   arrived before (minivmm holds typed or piped bytes until the FIFO has room, so it is usually
 *   full by then) is first moved into the kernel's input buffer, in loopback (8.7, MCR bit 4),
 *   which disconnects the serial input so that no byte can arrive between the last read and the
 *   switch.
 * - Each run of bytes without a newline goes out with one `rep outsb` to THR. KVM's instruction
 *   emulator turns OUTS into one port write (one exit) per byte, like a loop of OUTB, but decodes
 *   the instruction once per byte instead of the loop's five instructions (measured with the
 *   kvm_emulate_insn tracepoint; docs/performance.md). `repne scasb` finds the newline: one
 *   emulated instruction for the whole scan.
 */
#include <stdbool.h>
#include <stdint.h>

#include "minivmm/boot_abi.h"
#include "guest/x86.h"
#include "serial.h"

#define COM1 MINIVMM_UART_COM1_PORT

#define UART_THR 0 /* transmit holding register (write, DLAB = 0) */
#define UART_FCR 2 /* FIFO control register (write) */
#define UART_LCR 3 /* line control register */
#define UART_MCR 4 /* modem control register */
#define UART_LSR 5 /* line status register */
#define UART_RBR 0 /* receiver buffer register (read, DLAB = 0) */

#define LCR_8N1	       0x03 /* 8 data bits, no parity, 1 stop bit, DLAB = 0 */
#define FCR_ENABLE     0x01 /* both FIFOs on; the other FCR bits take effect only with it */
#define FCR_CLEAR_RX   0x02
#define FCR_CLEAR_TX   0x04
#define MCR_LOOPBACK   0x10
#define LSR_DATA_READY 0x01
#define LSR_THRE       0x20 /* THR empty; in FIFO mode, the whole transmitter FIFO empty */
#define TX_FIFO_DEPTH  16
#define NEWLINE_LENGTH 2 /* "\n" goes out as "\r\n" */

#define INPUT_SIZE 256 /* a power of two */

static char input[INPUT_SIZE];	     /* received bytes the kernel took out of the UART */
static volatile unsigned input_head; /* next slot serial_receive fills (also in interrupts) */
static unsigned input_tail;	     /* next byte a read takes */

void serial_init(void)
{
	/* A plain 8N1 frame, FIFOs on and empty (receive trigger level 1 byte: FCR bits 7:6 = 0),
	 * input kept (see the top of the file), modem control at its reset value. IER is left as
	 * the loader left it: MCR.OUT2 = 0 keeps the UART's interrupt off the ISA line (PC wiring),
	 * the kernel runs with IF clear, and interrupts.c sets IER itself before it enables any
	 * interrupt. The baud-rate divisor is left alone too: a virtual UART has no line speed. */
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_MCR, MCR_LOOPBACK);
	serial_receive();
	outb(COM1 + UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	outb(COM1 + UART_MCR, 0);
}

void serial_receive(void)
{
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		char byte = (char)inb(COM1 + UART_RBR);
		unsigned head = input_head;
		if (head - input_tail < INPUT_SIZE) {
			input[head % INPUT_SIZE] = byte;
			input_head = head + 1;
		}
	}
}

size_t serial_read_buffered(char *buf, size_t len)
{
	size_t n = 0;
	while (n < len && input_tail != input_head)
		buf[n++] = input[input_tail++ % INPUT_SIZE];
	return n;
}

size_t serial_read_polled(char *buf, size_t len)
{
	size_t n = serial_read_buffered(buf, len); /* what serial_init took out of the UART */
	if (n)
		return n;
	while (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		;
	while (n < len && (inb(COM1 + UART_LSR) & LSR_DATA_READY))
		buf[n++] = (char)inb(COM1 + UART_RBR);
	return n;
}

/* Waits for an empty transmitter FIFO and returns how many bytes it takes. */
static size_t wait_for_tx_fifo(void)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		;
	return TX_FIFO_DEPTH;
}

/* The length of text's longest prefix, at most len (> 0) bytes, that holds no byte c; *found
 * tells whether c ends it. */
static size_t span_without(const char *text, size_t len, char c, bool *found)
{
	const char *end = text;

	__asm__("repne scasb"
		: "+D"(end), "+c"(len), "=@ccz"(*found)
		: "a"(c), "m"(*(const char(*)[])text));
	return (size_t)(end - text) - *found;
}

static void transmit(const char *text, size_t len)
{
	__asm__ volatile("rep outsb"
			 : "+S"(text), "+c"(len)
			 : "d"(COM1 + UART_THR), "m"(*(const char(*)[])text));
}

void serial_write(const char *text, size_t len)
{
	size_t room = 0; /* bytes the transmitter FIFO takes before LSR must be read again */

	while (len) {
		if (room == 0)
			room = wait_for_tx_fifo();
		bool newline;
		size_t run = span_without(text, len < room ? len : room, '\n', &newline);
		if (run) {
			transmit(text, run);
			text += run;
			len -= run;
			room -= run;
		}
		if (newline) { /* it goes out as "\r\n": two slots */
			if (room < NEWLINE_LENGTH)
				room = wait_for_tx_fifo();
			outb(COM1 + UART_THR, '\r');
			outb(COM1 + UART_THR, '\n');
			text++;
			len--;
			room -= NEWLINE_LENGTH;
		}
	}
}

void serial_write_string(const char *text)
{
	bool found;
	serial_write(text, span_without(text, SIZE_MAX, '\0', &found));
}
