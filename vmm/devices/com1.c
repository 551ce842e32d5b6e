/* SPDX-License-Identifier: MIT */
/*
 * COM1: the 8250 UART model (uart8250.c) wired to the host console: what the guest transmits
 * goes to stdout, what the user types goes into the UART's receive FIFO. With an in-kernel
 * irqchip the UART's interrupt drives ISA line 4 (the handle's irq_line), as COM1's does on a PC.
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/device_table.h"
#include "devices/devices.h"
#include "devices/uart8250.h"
#include "host/console.h"
#include "machine/bus.h"
#include "minivmm/boot_abi.h"
#include "platform/pc_layout.h"

#define COM1_IRQ PC_COM1_IRQ /* platform/pc_layout.h: the tables name it too */

struct com1 {
	struct uart8250 uart; /* first: the device state handed to the bus */
	struct console *console;
	struct irq_line irq;
	struct wake_line wake; /* a key on the console wakes an S3 sleep (machine/sleep.h) */
};

static void com1_transmit(void *ctx, uint8_t byte)
{
	struct com1 *com1 = ctx;
	console_write_byte(com1->console, byte);
}

/* Called by the UART with its lock held: the line does not call back into it. */
static void com1_set_irq(void *ctx, bool asserted)
{
	struct com1 *com1 = ctx;
	irq_line_set(&com1->irq, asserted);
}

/* ctx is &com1->uart, the start of struct com1. */
static unsigned com1_deliver(void *ctx, const uint8_t *bytes, unsigned count)
{
	struct com1 *com1 = ctx;
	if (count)
		wake_line_set(&com1->wake, WAKE_CONSOLE_INPUT, true);
	return uart8250_receive(&com1->uart, bytes, count);
}

static void com1_destroy(void *state) /* state is &com1->uart, the start of struct com1 */
{
	uart8250_destroy(state);
	free(state);
}

/* A platform reset: the UART's Master Reset, which also lowers IRQ 4 if the old boot left it
 * raised (through com1_set_irq). Console input typed meanwhile is not the UART's: it stays with
 * the console and arrives in the new boot's FIFO. */
static void com1_reset(void *state) /* state is &com1->uart */
{
	uart8250_reset(state);
}

static size_t com1_save(void *state, void *buf)
{
	return uart8250_save(state, buf);
}

static int com1_load(void *state, const void *buf, size_t len)
{
	return uart8250_load(state, buf, len);
}

static int com1_attach(const struct device_host *host, struct vmm_error *err)
{
	struct com1 *com1 = calloc(1, sizeof *com1);
	if (!com1)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	com1->console = host->console;
	com1->irq = device_host_irq_line(host, COM1_IRQ);
	com1->wake = host->wake;
	struct uart8250 *uart = &com1->uart;
	/* The interrupt line only exists with an in-kernel irqchip; polled otherwise. */
	const struct uart8250_backend backend = {
	    .transmit = com1_transmit,
	    .set_irq = irq_line_connected(&com1->irq) ? com1_set_irq : NULL,
	    .ctx = com1,
	};
	uart8250_init(uart, &backend);
	int ret = device_table_add(host->devices, "uart8250", uart, com1_destroy, com1_reset, err);
	if (ret) {
		com1_destroy(uart);
		return ret;
	}
	device_table_set_snapshot(host->devices, uart, com1_save, com1_load);
	ret = bus_register(host->pio_bus, MINIVMM_UART_COM1_PORT, UART8250_REGISTER_COUNT,
			   "uart8250", &uart8250_bus_ops, uart);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL, "cannot register COM1");
	console_set_receiver(host->console, com1_deliver, uart);
	/* The transmit register (offset 0) alone (with DLAB set, the divisor's low byte): what is
	 * written there only goes out, so it may reach the UART at the next exit, which a driver
	 * makes anyway to read LSR before its next burst, or within the machine's drain interval.
	 * Every other register, and every read, still exits at once: interrupt enables and line
	 * control act on the spot, and the ring keeps the order of all writes. A byte per exit was
	 * 148 of the toy guest's 167 exits. Without the capability, each byte exits, as before. */
	(void)device_host_batch_writes(host, MINIVMM_UART_COM1_PORT, 1, true);
	return 0;
}

const struct device_module uart8250_com1_module = {"uart8250", com1_attach};
