/*
 * COM1: the 8250 UART model (uart8250.c) wired to the host console: what the guest transmits
 * goes to stdout, what the user types goes into the UART's receive FIFO.
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "devices/uart8250.h"
#include "minivmm/boot_abi.h"

static void com1_transmit(void *ctx, uint8_t byte)
{
	console_write_byte(ctx, byte);
}

static unsigned com1_deliver(void *ctx, const uint8_t *bytes, unsigned count)
{
	return uart8250_receive(ctx, bytes, count);
}

static void com1_destroy(void *state)
{
	uart8250_destroy(state);
	free(state);
}

static int com1_attach(struct vm *vm, struct vmm_error *err)
{
	struct uart8250 *uart = calloc(1, sizeof *uart);
	if (!uart)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	const struct uart8250_backend backend = {.transmit = com1_transmit, .ctx = &vm->console};
	uart8250_init(uart, &backend);
	int ret = vm_add_device(vm, "uart8250", uart, com1_destroy, err);
	if (ret) {
		com1_destroy(uart);
		return ret;
	}
	ret = bus_register(&vm->pio_bus, MINIVMM_UART_COM1_PORT, UART8250_REGISTER_COUNT,
			   "uart8250", &uart8250_bus_ops, uart);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL, "cannot register COM1");
	console_set_receiver(&vm->console, com1_deliver, uart);
	return 0;
}

const struct device_module uart8250_com1_module = {"uart8250", com1_attach};
