/* SPDX-License-Identifier: MIT */
/* A guest reset reaches every device (device_table_reset_all, struct device_entry.reset; reboot.c
 * calls it before the guest restarts): the 8250 UART's Master Reset with its interrupt line, and
 * the whole device table of a VM without KVM, dirtied through the buses as a guest would, then
 * read back at its power-on values. Device details: test_virtio_mmio.c, test_bench_device.c and
 * test_reset_control.c. */
#include <errno.h>
#include <string.h>

#include "devices/bench_device.h"
#include "devices/devices.h"
#include "machine/vm.h"
#include "devices/uart8250.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"
#include "virtio/virtio_mmio.h"

enum { THR = 0, RBR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
enum { MSR = 6, SCR = 7 };

#define COM1	     MINIVMM_UART_COM1_PORT
#define VIRTIO	     MINIVMM_VIRTIO_RNG_GPA
#define RAM_SIZE     (4ull << 20)
#define RING_GPA     0x100000ull /* descriptors; available ring +0x1000, used ring +0x2000 */
#define MSR_ON_RESET 0xb0	 /* CTS, DSR, DCD: a connected console, no deltas */

/* ---- the UART model alone, with a backend that records its interrupt line ---- */

static bool irq_level;
static unsigned irq_changes, transmitted;

static void record_irq(void *ctx, bool asserted)
{
	(void)ctx;
	irq_level = asserted;
	irq_changes++;
}

static void record_transmit(void *ctx, uint8_t byte)
{
	(void)ctx, (void)byte;
	transmitted++;
}

static uint8_t uart_rd(struct uart8250 *uart, unsigned reg)
{
	uint8_t value = 0x5a;
	uart8250_read(uart, reg, &value, 1);
	return value;
}

static void uart_wr(struct uart8250 *uart, unsigned reg, uint8_t value)
{
	uart8250_write(uart, reg, &value, 1);
}

/* Everything a driver can change: divisor, line and modem control, FIFOs with data and an
 * overrun (loopback), every interrupt enabled, scratch; the interrupt line raised. */
static void dirty_uart(struct uart8250 *uart)
{
	uart_wr(uart, LCR, 0x80);
	uart_wr(uart, DLL, 0x01);
	uart_wr(uart, DLM, 0x02);
	uart_wr(uart, LCR, 0x1b);
	uart_wr(uart, FCR, 0xc7);
	uart_wr(uart, IER, 0x0f);
	uart_wr(uart, MCR, 0x1f); /* loopback, OUT2 (the PC's interrupt gate) */
	for (unsigned i = 0; i < UART8250_RX_FIFO_SIZE + 1; i++)
		uart_wr(uart, THR, (uint8_t)i); /* the 17th overruns */
	uart_wr(uart, SCR, 0x55);
}

START_TEST(test_uart_master_reset)
{
	struct uart8250 uart;
	const struct uart8250_backend backend = {.transmit = record_transmit,
						 .set_irq = record_irq};
	uart8250_init(&uart, &backend);
	irq_level = false;
	irq_changes = transmitted = 0;
	dirty_uart(&uart);
	ck_assert(irq_level);
	ck_assert_uint_eq(uart8250_rx_space(&uart), 0);

	uart8250_reset(&uart);
	ck_assert(!irq_level); /* the line was lowered by the reset itself */
	ck_assert_uint_eq(irq_changes, 2);
	/* PC16550D "UART Reset Configuration" (vmm/devices/uart8250.c). */
	ck_assert_uint_eq(uart8250_rx_space(&uart), UART8250_RX_FIFO_SIZE);
	ck_assert_uint_eq(uart_rd(&uart, IER), 0);
	ck_assert_uint_eq(uart_rd(&uart, IIR), 0x01);
	ck_assert_uint_eq(uart_rd(&uart, LCR), 0);
	ck_assert_uint_eq(uart_rd(&uart, MCR), 0);
	ck_assert_uint_eq(uart_rd(&uart, LSR), 0x60); /* no data, no overrun left */
	ck_assert_uint_eq(uart_rd(&uart, MSR), MSR_ON_RESET);
	ck_assert_uint_eq(uart_rd(&uart, SCR), 0);
	ck_assert_uint_eq(uart_rd(&uart, RBR), 0);
	uart_wr(&uart, LCR, 0x80);
	ck_assert_uint_eq(uart_rd(&uart, DLL), 12); /* minivmm's power-on 9600 baud */
	ck_assert_uint_eq(uart_rd(&uart, DLM), 0);
	uart_wr(&uart, LCR, 0x03);
	/* Out of loopback: a byte goes to the backend again, and nothing is pending. */
	uart_wr(&uart, THR, 'x');
	ck_assert_uint_eq(transmitted, 1);
	ck_assert(!irq_level);
	uart8250_destroy(&uart);
}
END_TEST

START_TEST(test_uart_reset_of_a_quiet_uart_leaves_the_line_alone)
{
	struct uart8250 uart;
	const struct uart8250_backend backend = {.set_irq = record_irq};
	uart8250_init(&uart, &backend);
	irq_changes = 0;
	uart8250_reset(&uart);
	ck_assert_uint_eq(irq_changes, 0); /* no KVM_IRQ_LINE for a line that is already low */
	uart8250_destroy(&uart);
}
END_TEST

/* ---- every device of a VM ---- */

static struct vm vm;

static void setup(void)
{
	vm_init_without_kvm(&vm);
	struct vmm_error err;
	ck_assert_int_eq(guest_mem_init(&vm.mem, RAM_SIZE, &err), 0);
	struct device_host host;
	vm_device_host(&vm, &host);
	ck_assert_int_eq(devices_attach_all(&host, &err), 0); /* what vm_create attaches */
}

static void teardown(void)
{
	vm_destroy(&vm);
}

static void bus_rw(struct bus *bus, uint64_t addr, uint32_t *value, uint32_t len, bool write)
{
	uint8_t data[4];
	memcpy(data, value, 4);
	ck_assert_ptr_nonnull(bus_access(bus, addr, data, len, write));
	memcpy(value, data, 4);
}

static void out8(uint16_t port, uint8_t value)
{
	uint32_t v = value;
	bus_rw(&vm.pio_bus, port, &v, 1, true);
}

static uint8_t in8(uint16_t port)
{
	uint32_t v = 0;
	bus_rw(&vm.pio_bus, port, &v, 1, false);
	return (uint8_t)v;
}

static void mmio_wr(uint64_t addr, uint32_t value)
{
	bus_rw(&vm.mmio_bus, addr, &value, 4, true);
}

static uint32_t mmio_rd(uint64_t addr)
{
	uint32_t value = 0;
	bus_rw(&vm.mmio_bus, addr, &value, 4, false);
	return value;
}

static void *device_state(const char *name)
{
	const struct device_entry *entry = device_table_find(&vm.devices, name);
	ck_assert_msg(entry, "no device %s", name);
	return entry->state;
}

/* virtio-rng brought to DRIVER_OK with queue 0 ready (3.1.1), as the old boot's driver left it. */
static void live_virtio_device(void)
{
	mmio_wr(VIRTIO + VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	mmio_wr(VIRTIO + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_wr(VIRTIO + VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VIRTIO_F_VERSION_1 */
	mmio_wr(VIRTIO + VIRTIO_MMIO_STATUS,
		VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	mmio_wr(VIRTIO + VIRTIO_MMIO_QUEUE_NUM, 16);
	mmio_wr(VIRTIO + VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)RING_GPA);
	mmio_wr(VIRTIO + VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)RING_GPA + 0x1000);
	mmio_wr(VIRTIO + VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)RING_GPA + 0x2000);
	mmio_wr(VIRTIO + VIRTIO_MMIO_QUEUE_READY, 1);
	mmio_wr(VIRTIO + VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						 VIRTIO_STATUS_FEATURES_OK |
						 VIRTIO_STATUS_DRIVER_OK);
	ck_assert_uint_eq(mmio_rd(VIRTIO + VIRTIO_MMIO_QUEUE_READY), 1);
}

START_TEST(test_every_device_back_at_power_on)
{
	/* Dirty each device with state. */
	out8(COM1 + LCR, 0x80);
	out8(COM1 + DLL, 0x01);
	out8(COM1 + LCR, 0x03);
	out8(COM1 + IER, 0x0f);
	/* Console input in the FIFO, before loopback disconnects the serial input. */
	const uint8_t typed[] = "typed";
	ck_assert_uint_eq(uart8250_receive(device_state("uart8250"), typed, 5), 5);
	out8(COM1 + MCR, 0x1b);
	out8(COM1 + SCR, 0x77);
	uint32_t one = 1;
	bus_rw(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT, &one, 4, true);
	mmio_wr(MINIVMM_BENCH_MMIO_GPA, 1);
	out8(0xcf9, 0x0a); /* FULL_RST | SYS_RST latched, no reset yet */
	live_virtio_device();
	ck_assert(!stop_requested(&vm.stop));

	device_table_reset_all(&vm.devices);

	ck_assert_uint_eq(in8(COM1 + IER), 0);
	ck_assert_uint_eq(in8(COM1 + IIR), 0x01);
	ck_assert_uint_eq(in8(COM1 + LCR), 0);
	ck_assert_uint_eq(in8(COM1 + MCR), 0);
	ck_assert_uint_eq(in8(COM1 + LSR), 0x60); /* the typed bytes are gone with the FIFO */
	ck_assert_uint_eq(in8(COM1 + MSR), MSR_ON_RESET);
	ck_assert_uint_eq(in8(COM1 + SCR), 0);
	uint32_t count = 0;
	bus_rw(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT, &count, 4, false);
	ck_assert_uint_eq(count, 0);
	ck_assert_uint_eq(mmio_rd(MINIVMM_BENCH_MMIO_GPA), 0);
	ck_assert_uint_eq(in8(0xcf9), 0);
	ck_assert_uint_eq(mmio_rd(VIRTIO + VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(mmio_rd(VIRTIO + VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(mmio_rd(VIRTIO + VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* A reset is no reason to stop the run, and the devices stay where they were. */
	ck_assert(!stop_requested(&vm.stop));
	ck_assert_uint_eq(mmio_rd(VIRTIO + VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
}
END_TEST

/* devices/devices.c's table is the attach order and so the reset order: COM1 first, the virtio
 * transport (whose reset waits for its worker) last. */
START_TEST(test_attach_order_is_the_table)
{
	static const char *const expected[] = {"uart8250", "exit-port", "isa-debug-exit",
					       "bench",	   "rtc-cmos",	"reset",
					       "acpi-pm",  "pci",	"virtio-rng"};
	ck_assert_uint_eq(vm.devices.count, sizeof expected / sizeof expected[0]);
	for (unsigned i = 0; i < vm.devices.count; i++)
		ck_assert_str_eq(vm.devices.entries[i].name, expected[i]);
}
END_TEST

START_TEST(test_only_stateful_devices_have_a_hook)
{
	for (unsigned i = 0; i < vm.devices.count; i++) {
		const char *name = vm.devices.entries[i].name;
		/* The exit ports have nothing to reset; rtc-cmos and what its reset keeps are
		 * test_rtc_cmos.c's business. */
		bool stateless = strcmp(name, "exit-port") == 0 ||
				 strcmp(name, "isa-debug-exit") == 0 ||
				 strcmp(name, "rtc-cmos") == 0;
		if (stateless)
			continue;
		ck_assert_msg(vm.devices.entries[i].reset, "%s has no reset hook", name);
	}
}
END_TEST

/* The table's order: resets in attach order (devices added without a hook are skipped), destroys
 * in reverse; a full table refuses the next device. */
static unsigned reset_order[4], resets, destroy_order[4], destroys;

static void note_reset(void *state)
{
	reset_order[resets++] = (unsigned)(uintptr_t)state;
}

static void note_destroy(void *state)
{
	destroy_order[destroys++] = (unsigned)(uintptr_t)state;
}

START_TEST(test_hooks_run_in_attach_order)
{
	struct device_table table = {0};
	struct vmm_error err;
	resets = destroys = 0;
	ck_assert_int_eq(device_table_add(&table, "a", (void *)1, note_destroy, note_reset, &err),
			 0);
	ck_assert_int_eq(device_table_add(&table, "b", (void *)2, note_destroy, NULL, &err), 0);
	ck_assert_int_eq(device_table_add(&table, "c", (void *)3, note_destroy, note_reset, &err),
			 0);
	device_table_reset_all(&table);
	ck_assert_uint_eq(resets, 2);
	ck_assert_uint_eq(reset_order[0], 1);
	ck_assert_uint_eq(reset_order[1], 3);
	device_table_reset_all(&table); /* a second reboot runs them again */
	ck_assert_uint_eq(resets, 4);
	ck_assert_ptr_eq(device_table_find(&table, "b")->state, (void *)2);
	ck_assert_ptr_null(device_table_find(&table, "d"));
	device_table_destroy_all(&table);
	ck_assert_uint_eq(destroys, 3);
	ck_assert_uint_eq(destroy_order[0], 3);
	ck_assert_uint_eq(destroy_order[2], 1);
	ck_assert_uint_eq(table.count, 0);
}
END_TEST

START_TEST(test_full_table_refuses)
{
	struct device_table table = {0};
	struct vmm_error err;
	for (unsigned i = 0; i < DEVICE_TABLE_MAX; i++)
		ck_assert_int_eq(device_table_add(&table, "x", NULL, NULL, NULL, &err), 0);
	ck_assert_int_eq(device_table_add(&table, "y", NULL, NULL, NULL, &err), -ENOSPC);
	ck_assert_int_eq(err.status, VMM_EXIT_INTERNAL);
	ck_assert_ptr_null(device_table_find(&table, "y"));
}
END_TEST

static Suite *device_reset_suite(void)
{
	Suite *s = suite_create("device_reset");
	TCase *uart = tcase_create("uart8250");
	tcase_add_test(uart, test_uart_master_reset);
	tcase_add_test(uart, test_uart_reset_of_a_quiet_uart_leaves_the_line_alone);
	suite_add_tcase(s, uart);
	TCase *machine = tcase_create("machine");
	tcase_add_checked_fixture(machine, setup, teardown);
	tcase_add_test(machine, test_every_device_back_at_power_on);
	tcase_add_test(machine, test_only_stateful_devices_have_a_hook);
	tcase_add_test(machine, test_attach_order_is_the_table);
	suite_add_tcase(s, machine);
	TCase *table = tcase_create("table");
	tcase_add_test(table, test_hooks_run_in_attach_order);
	tcase_add_test(table, test_full_table_refuses);
	suite_add_tcase(s, table);
	return s;
}

CHECK_MAIN(device_reset_suite)
