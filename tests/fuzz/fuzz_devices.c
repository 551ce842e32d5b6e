/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the I/O bus and the device register interfaces a guest reaches with IN/OUT and
 * MMIO: the 16550A UART at 0x3f8 (vmm/devices/uart8250.c), minivmm's exit port 0x501 and
 * isa-debug-exit 0xf4 (vmm/devices/exit_port.c), the ACPI PM block at 0x600 (acpi_pm.c), PCI
 * configuration mechanism #1 at 0xCF8/0xCFC beside the reset register 0xCF9 (pci_config.c,
 * reset_control.c), through vmm/machine/bus.c, plus host input into
 * the UART (uart8250_receive, the console thread's call) interleaved with the guest's accesses.
 *
 * Input: byte 0 configures the UART backend (bit 0: echo every transmitted byte back into the
 * receiver from inside transmit, as the backend contract allows; bit 1: an interrupt line
 * callback). Then a stream of operations, each an opcode byte and its operands:
 *   bits 0-2  0-2: UART access at 0x3f4 + (a & 15), one operand byte a (straddles both ends)
 *             3:   platform port access near 0xf4, 0x501, 0x600 or 0xCF8 (a & 3), one
 *                  operand byte a
 *             4:   I/O port access at any 16-bit port (2 operand bytes)
 *             5:   access at any 64-bit address (8 bytes), on the MMIO bus if bit 6, else I/O
 *             6:   host input: a count byte (0-31), then that many bytes for uart8250_receive
 *             7:   direct uart8250_read/write at any 64-bit register offset (8 bytes)
 *   bits 3-4  size 1, 2, 4 or 8;  bit 5  write (then size data bytes follow)
 * A short input simply ends the stream.
 *
 * Invariants (abort() when broken): an unclaimed read is all ones; LSR reads with THRE and TEMT
 * (bits 5, 6) set; IIR bits 4-5 are 0 and its interrupt ID is one the chip defines; reading RBR
 * pops the FIFO's head in order; the FIFO never holds more than 16 bytes and receive() takes
 * exactly what fits; the interrupt callback fires only on a change of level and never with OUT2
 * clear; the first exit-port write decides the stop status, by each port's own convention
 * (minivmm's port never gives 64 or more: those are minivmm's statuses), and the stop keeps the
 * port and the value written; a PM1_CNT write may power off instead (status 0), and then
 * nothing changes the stop. The ACPI PM registers' reserved bits read 0 and the PM timer never
 * goes backwards; CONFIG_ADDRESS reads back with bits 30-24 and 1-0 clear.
 */
#include <string.h>

#include "devices/acpi_pm.h"
#include "devices/devices.h"
#include "machine/vm.h"
#include "devices/uart8250.h"
#include "fuzz_common.h"
#include "minivmm/boot_abi.h"
#include "platform/pc_layout.h"

#define UART_BASE MINIVMM_UART_COM1_PORT

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static bool take(struct input *in, uint8_t *byte)
{
	if (in->pos >= in->size)
		return false;
	*byte = in->data[in->pos++];
	return true;
}

static uint64_t take_le(struct input *in, unsigned bytes)
{
	uint64_t v = 0;
	uint8_t b;
	for (unsigned i = 0; i < bytes && take(in, &b); i++)
		v |= (uint64_t)b << (8 * i);
	return v;
}

static struct vm vm;
static struct uart8250 uart;
static bool echo, irq_level;
static uint64_t transmitted;

static void discard_transmit(void *ctx, uint8_t byte)
{
	(void)ctx;
	transmitted++;
	if (echo) /* transmit runs with the UART's lock dropped: calling back in is allowed */
		(void)uart8250_receive(&uart, &byte, 1);
}

static void track_irq(void *ctx, bool asserted)
{
	(void)ctx;
	FUZZ_CHECK(asserted != irq_level);	    /* only changes are signalled */
	FUZZ_CHECK(!asserted || (uart.mcr & 0x08)); /* OUT2 gates the line */
	irq_level = asserted;
}

static void check_uart_state(void)
{
	FUZZ_CHECK(uart.rx_count <= UART8250_RX_FIFO_SIZE);
	FUZZ_CHECK(uart.rx_head < UART8250_RX_FIFO_SIZE);
	FUZZ_CHECK((uart.ier & 0xf0) == 0 && (uart.mcr & 0xe0) == 0);
	/* In loopback (MCR bit 4) the serial input is disconnected: no room for the host. */
	FUZZ_CHECK(uart8250_rx_space(&uart) ==
		   ((uart.mcr & 0x10) ? 0 : UART8250_RX_FIFO_SIZE - uart.rx_count));
}

/* What the UART's registers returned for a read of len bytes at register offset off. before_*
 * are the FIFO's state just before the access. */
static void check_uart_read(uint64_t off, const uint8_t *data, uint32_t len, bool dlab,
			    const uint8_t *before_fifo, unsigned before_head, unsigned before_count)
{
	unsigned popped = 0;
	for (uint32_t i = 0; i < len; i++) {
		if (off >= 8 || i >= 8 - off) {
			FUZZ_CHECK(data[i] == 0xff); /* past the eight registers */
			continue;
		}
		unsigned reg = (unsigned)(off + i);
		if (reg == 5) /* LSR: the transmitter is always empty */
			FUZZ_CHECK((data[i] & 0x60) == 0x60);
		if (reg == 2) { /* IIR */
			uint8_t id = data[i] & 0x0f;
			FUZZ_CHECK((data[i] & 0x30) == 0);
			FUZZ_CHECK(id == 0x01 || id == 0x00 || id == 0x02 || id == 0x04 ||
				   id == 0x06 || id == 0x0c);
		}
		if (reg == 0 && !dlab) { /* RBR: the head of the FIFO, or 0 when empty */
			if (popped < before_count) {
				unsigned at = (before_head + popped) % UART8250_RX_FIFO_SIZE;
				FUZZ_CHECK(data[i] == before_fifo[at]);
				popped++;
			} else {
				FUZZ_CHECK(data[i] == 0);
			}
		}
	}
}

static uint32_t last_pm_timer;

/* The ACPI PM block, the PCI ports and the reset ports: true if r is one of them. */
static bool check_platform_access(const struct bus_range *r, uint64_t offset, const uint8_t *data,
				  uint32_t len, bool is_write)
{
	if (strcmp(r->name, "acpi-pm") == 0) {
		for (uint32_t i = 0; !is_write && i < len; i++) {
			uint64_t at = offset + i;
			static const uint8_t reserved[ACPI_PM_REG_TMR] = {0xce, 0x78, 0xde, 0xf8,
									  0xfc, 0xe3, 0xff, 0xff};
			if (at < ACPI_PM_REG_TMR)
				FUZZ_CHECK((data[i] & reserved[at]) == 0);
		}
		if (!is_write && offset == ACPI_PM_REG_TMR && len == 4) {
			uint32_t tmr;
			memcpy(&tmr, data, 4);
			FUZZ_CHECK((uint32_t)(tmr - last_pm_timer) < 0x80000000u);
			last_pm_timer = tmr;
		}
		return true;
	}
	if (strcmp(r->name, "pci-config-address") == 0) {
		uint32_t v;
		memcpy(&v, data, 4);
		FUZZ_CHECK(len == 4 && (is_write || (v & 0x7f000003u) == 0));
		return true;
	}
	return strcmp(r->name, "pci-config-data") == 0 || strcmp(r->name, "reset-cf9") == 0 ||
	       strcmp(r->name, "i8042") == 0;
}

struct exit_expectation {
	bool seen;
	enum stop_reason platform_stop; /* powered off or reset instead of an exit port */
	int status;
	uint16_t port;
	uint32_t value;
};

static void bus_op(struct bus *bus, uint64_t addr, uint32_t len, bool is_write, struct input *in,
		   struct exit_expectation *exit_seen)
{
	uint8_t data[8];
	memset(data, 0xcc, sizeof data);
	if (is_write)
		for (uint32_t i = 0; i < len; i++)
			(void)take(in, &data[i]);
	uint8_t fifo[UART8250_RX_FIFO_SIZE];
	memcpy(fifo, uart.rx_fifo, sizeof fifo);
	unsigned head = uart.rx_head, count = uart.rx_count;
	bool dlab = uart.lcr & 0x80;

	const struct bus_range *r = bus_access(bus, addr, data, len, is_write);
	if (!r) {
		if (!is_write)
			for (uint32_t i = 0; i < len; i++)
				FUZZ_CHECK(data[i] == 0xff);
		return;
	}
	FUZZ_CHECK(addr >= r->base && addr - r->base < r->len && len <= r->len - (addr - r->base));
	if (r->opaque == &uart) {
		if (!is_write)
			check_uart_read(addr - r->base, data, len, dlab, fifo, head, count);
		return;
	}
	if (check_platform_access(r, addr - r->base, data, len, is_write)) {
		enum stop_reason reason = atomic_load(&vm.stop.reason);
		if (!exit_seen->seen && reason != STOP_NONE) {
			FUZZ_CHECK(is_write);
			FUZZ_CHECK(reason == (strcmp(r->name, "acpi-pm") == 0 ? STOP_POWER_OFF
									      : STOP_GUEST_RESET));
			exit_seen->seen = true;
			exit_seen->platform_stop = reason;
		}
		return;
	}
	if (is_write && !exit_seen->seen) {
		uint32_t v = 0;
		memcpy(&v, data, len < 4 ? len : 4);
		bool qemu = strcmp(r->name, "isa-debug-exit") == 0;
		FUZZ_CHECK(qemu || strcmp(r->name, "exit-port") == 0);
		exit_seen->seen = true;
		exit_seen->port = qemu ? MINIVMM_ISA_DEBUG_EXIT_PORT : MINIVMM_EXIT_PORT;
		exit_seen->value = v;
		/* minivmm's port never gives one of minivmm's own statuses (64 and up) */
		exit_seen->status = (int)(qemu				 ? ((v << 1) | 1) & 0xff
					  : v <= MINIVMM_EXIT_STATUS_MAX ? v
									 : MINIVMM_EXIT_STATUS_MAX);
	}
}

static void host_input(struct input *in)
{
	uint8_t n = 0, bytes[32];
	(void)take(in, &n);
	n &= 31;
	unsigned got = 0;
	while (got < n && take(in, &bytes[got]))
		got++;
	unsigned space = uart8250_rx_space(&uart);
	unsigned accepted = uart8250_receive(&uart, bytes, got);
	FUZZ_CHECK(accepted == (got < space ? got : space));
}

static void direct_access(struct input *in, uint32_t len, bool is_write)
{
	uint64_t offset = take_le(in, 8);
	uint8_t data[8];
	memset(data, 0xcc, sizeof data);
	if (is_write) {
		for (uint32_t i = 0; i < len; i++)
			(void)take(in, &data[i]);
		uart8250_write(&uart, offset, data, len);
		return;
	}
	uint8_t fifo[UART8250_RX_FIFO_SIZE];
	memcpy(fifo, uart.rx_fifo, sizeof fifo);
	unsigned head = uart.rx_head, count = uart.rx_count;
	bool dlab = uart.lcr & 0x80;
	uart8250_read(&uart, offset, data, len);
	check_uart_read(offset, data, len, dlab, fifo, head, count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {.data = data, .size = size};
	uint8_t config = 0;
	(void)take(&in, &config);
	echo = config & 1;
	irq_level = false;
	transmitted = 0;

	vm_init_without_kvm(&vm);
	struct vmm_error err;
	FUZZ_CHECK(vm_attach_device(&vm, &exit_port_module, &err) == 0);
	FUZZ_CHECK(vm_attach_device(&vm, &isa_debug_exit_module, &err) == 0);
	FUZZ_CHECK(vm_attach_device(&vm, &reset_control_module, &err) == 0);
	FUZZ_CHECK(vm_attach_device(&vm, &acpi_pm_module, &err) == 0);
	FUZZ_CHECK(vm_attach_device(&vm, &pci_config_module, &err) == 0);
	last_pm_timer = 0;
	const struct uart8250_backend backend = {.transmit = discard_transmit,
						 .set_irq = (config & 2) ? track_irq : NULL};
	uart8250_init(&uart, &backend);
	FUZZ_CHECK(bus_register(&vm.pio_bus, UART_BASE, UART8250_REGISTER_COUNT, "com1",
				&uart8250_bus_ops, &uart) == 0);

	struct exit_expectation exit_seen = {0};
	uint8_t op;
	while (take(&in, &op)) {
		uint32_t len = 1u << ((op >> 3) & 3);
		bool is_write = op & 0x20;
		uint8_t a = 0;
		switch (op & 7) {
		case 0:
		case 1:
		case 2:
			(void)take(&in, &a);
			bus_op(&vm.pio_bus, UART_BASE - 4 + (a & 15), len, is_write, &in,
			       &exit_seen);
			break;
		case 3: {
			(void)take(&in, &a);
			static const uint64_t bases[] = {MINIVMM_ISA_DEBUG_EXIT_PORT,
							 MINIVMM_EXIT_PORT, PC_ACPI_PM_BASE,
							 PC_PCI_CONFIG_ADDRESS};
			bus_op(&vm.pio_bus, bases[a & 3] - 2 + ((a >> 2) & 15), len, is_write, &in,
			       &exit_seen);
			break;
		}
		case 4:
			bus_op(&vm.pio_bus, take_le(&in, 2), len, is_write, &in, &exit_seen);
			break;
		case 5:
			bus_op((op & 0x40) ? &vm.mmio_bus : &vm.pio_bus, take_le(&in, 8), len,
			       is_write, &in, &exit_seen);
			break;
		case 6:
			host_input(&in);
			break;
		case 7:
			direct_access(&in, len, is_write);
			break;
		}
		check_uart_state();
	}

	if (exit_seen.platform_stop != STOP_NONE) {
		FUZZ_CHECK(atomic_load(&vm.stop.reason) == (int)exit_seen.platform_stop);
		FUZZ_CHECK(vm.stop.status ==
			   (exit_seen.platform_stop == STOP_POWER_OFF ? 0 : VMM_EXIT_GUEST_RESET));
	} else if (exit_seen.seen) {
		FUZZ_CHECK(atomic_load(&vm.stop.reason) == STOP_GUEST_EXIT);
		FUZZ_CHECK(vm.stop.status == exit_seen.status);
		FUZZ_CHECK(vm.stop.guest_port == exit_seen.port);
		FUZZ_CHECK(vm.stop.guest_value == exit_seen.value);
	} else {
		FUZZ_CHECK(atomic_load(&vm.stop.reason) == STOP_NONE);
	}
	uart8250_destroy(&uart);
	vm_destroy(&vm);
	return 0;
}
