/* SPDX-License-Identifier: MIT */
/* Devices get a handle, not the VM (vmm/devices/device_host.h): COM1 and the CMOS RTC plugged
 * into a fake host drive only their own ISA line through it, COM1 writes to the console it was
 * handed, and without an interrupt controller (set_irq NULL) neither drives a line at all. Then
 * the machine's side: vm_device_host() hands out the VM's buses and table, and an irqchip-less
 * VM no line. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/device_table.h"
#include "devices/devices.h"
#include "devices/rtc_cmos.h"
#include "host/console.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"

enum { THR = 0, IER = 1, MCR = 4 };
#define COM1 MINIVMM_UART_COM1_PORT

static struct bus pio;
static struct device_table table;
static struct console console;
static int console_pipe[2];
static struct device_host host;

/* What the fake host's interrupt controller saw; the RTC's timer thread writes it too. */
static pthread_mutex_t lines_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned line_changes[16];
static bool line_level[16];

static int record_irq(void *ctx, unsigned irq, bool level)
{
	ck_assert_ptr_eq(ctx, &table);
	ck_assert_uint_lt(irq, 16);
	pthread_mutex_lock(&lines_lock);
	line_changes[irq]++;
	line_level[irq] = level;
	pthread_mutex_unlock(&lines_lock);
	return 0;
}

static bool level_of(unsigned irq)
{
	pthread_mutex_lock(&lines_lock);
	bool level = line_level[irq];
	pthread_mutex_unlock(&lines_lock);
	return level;
}

static unsigned changes_of(unsigned irq)
{
	pthread_mutex_lock(&lines_lock);
	unsigned n = line_changes[irq];
	pthread_mutex_unlock(&lines_lock);
	return n;
}

static void setup_host(bool with_irqchip)
{
	bus_init(&pio, "io");
	memset(&table, 0, sizeof table);
	memset(line_changes, 0, sizeof line_changes);
	memset(line_level, 0, sizeof line_level);
	ck_assert_int_eq(pipe(console_pipe), 0);
	console_init(&console, -1, console_pipe[1]); /* no writer thread: bytes go straight out */
	host = (struct device_host){
	    .pio_bus = &pio,
	    .devices = &table,
	    .console = &console,
	    .set_irq = with_irqchip ? record_irq : NULL,
	    .irq_ctx = &table,
	    .vm_fd = -1,
	};
}

static void setup_with_irqchip(void)
{
	setup_host(true);
}

static void setup_polled(void)
{
	setup_host(false);
}

static void teardown(void)
{
	device_table_destroy_all(&table);
	close(console_pipe[0]);
	close(console_pipe[1]);
}

static void out8(uint16_t port, uint8_t value)
{
	ck_assert_ptr_nonnull(bus_access(&pio, port, &value, 1, true));
}

static uint8_t in8(uint16_t port)
{
	uint8_t value = 0;
	ck_assert_ptr_nonnull(bus_access(&pio, port, &value, 1, false));
	return value;
}

static uint8_t rtc_read(uint8_t reg)
{
	out8(RTC_CMOS_PORT, reg);
	return in8(RTC_CMOS_PORT + 1);
}

static void rtc_write(uint8_t reg, uint8_t value)
{
	out8(RTC_CMOS_PORT, reg);
	out8(RTC_CMOS_PORT + 1, value);
}

START_TEST(test_com1_writes_to_the_console_it_was_given)
{
	struct vmm_error err;
	ck_assert_int_eq(uart8250_com1_module.attach(&host, &err), 0);
	out8(COM1 + THR, 'H');
	char byte = 0;
	ck_assert_int_eq(read(console_pipe[0], &byte, 1), 1);
	ck_assert_int_eq(byte, 'H');
}
END_TEST

START_TEST(test_com1_drives_line_4_only)
{
	struct vmm_error err;
	ck_assert_int_eq(uart8250_com1_module.attach(&host, &err), 0);
	out8(COM1 + MCR, 0x08); /* OUT2: the PC's interrupt gate */
	out8(COM1 + IER, 0x02); /* THR empty: pending at once, THR is always empty here */
	ck_assert(level_of(4));
	out8(COM1 + IER, 0x00);
	ck_assert(!level_of(4));
	ck_assert_uint_eq(changes_of(4), 2);
	for (unsigned irq = 0; irq < 16; irq++)
		if (irq != 4)
			ck_assert_uint_eq(changes_of(irq), 0);
}
END_TEST

START_TEST(test_rtc_drives_line_8_from_its_timer)
{
	struct vmm_error err;
	ck_assert_int_eq(rtc_cmos_module.attach(&host, &err), 0);
	rtc_write(RTC_REG_A, RTC_A_DIVIDER_32KHZ | 6); /* rate 6: 1024 Hz */
	rtc_write(RTC_REG_B, rtc_read(RTC_REG_B) | RTC_B_PIE);
	/* The timer thread raises the line within about a millisecond; allow two seconds. */
	for (int i = 0; i < 2000 && !level_of(8); i++)
		nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
	ck_assert(level_of(8));
	ck_assert_uint_eq(rtc_read(RTC_REG_C) & (RTC_C_IRQF | RTC_C_PF), RTC_C_IRQF | RTC_C_PF);
	rtc_write(RTC_REG_B, rtc_read(RTC_REG_B) & ~RTC_B_PIE);
	(void)rtc_read(RTC_REG_C);
	ck_assert(!level_of(8));
	for (unsigned irq = 0; irq < 16; irq++)
		if (irq != 8)
			ck_assert_uint_eq(changes_of(irq), 0);
}
END_TEST

START_TEST(test_polled_devices_drive_no_line)
{
	struct vmm_error err;
	ck_assert_int_eq(uart8250_com1_module.attach(&host, &err), 0);
	ck_assert_int_eq(rtc_cmos_module.attach(&host, &err), 0);
	out8(COM1 + MCR, 0x08);
	out8(COM1 + IER, 0x02);
	rtc_write(RTC_REG_A, RTC_A_DIVIDER_32KHZ | 6);
	rtc_write(RTC_REG_B, rtc_read(RTC_REG_B) | RTC_B_PIE);
	nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	for (unsigned irq = 0; irq < 16; irq++)
		ck_assert_uint_eq(changes_of(irq), 0);
	/* Polled, the flags still show: register C's PF rises with time alone. */
	ck_assert_uint_eq(rtc_read(RTC_REG_C) & RTC_C_PF, RTC_C_PF);
}
END_TEST

/* ---- the machine's side ---- */

START_TEST(test_vm_hands_out_its_own_parts)
{
	struct vm vm;
	vm_init_without_kvm(&vm);
	struct device_host h;
	vm_device_host(&vm, &h);
	ck_assert_ptr_eq(h.pio_bus, &vm.pio_bus);
	ck_assert_ptr_eq(h.mmio_bus, &vm.mmio_bus);
	ck_assert_ptr_eq(h.devices, &vm.devices);
	ck_assert_ptr_eq(h.mem, &vm.mem);
	ck_assert_ptr_eq(h.console, &vm.console);
	ck_assert_ptr_eq(h.stop, &vm.stop);
	ck_assert_int_eq(h.vm_fd, -1);
	ck_assert_ptr_null(h.set_irq); /* no irqchip: no line */
	ck_assert_ptr_nonnull(h.reset.request);
	/* With an irqchip the line is KVM_IRQ_LINE on the VM fd (here none: EBADF). */
	vm.irqchip = true;
	vm_device_host(&vm, &h);
	ck_assert_ptr_nonnull(h.set_irq);
	struct irq_line line = device_host_irq_line(&h, 4);
	ck_assert_int_eq(irq_line_set(&line, true), -EBADF);
	vm.irqchip = false;
	vm_destroy(&vm);
}
END_TEST

static Suite *device_host_suite(void)
{
	Suite *s = suite_create("device_host");
	TCase *irq = tcase_create("irqchip");
	tcase_add_checked_fixture(irq, setup_with_irqchip, teardown);
	tcase_add_test(irq, test_com1_writes_to_the_console_it_was_given);
	tcase_add_test(irq, test_com1_drives_line_4_only);
	tcase_add_test(irq, test_rtc_drives_line_8_from_its_timer);
	suite_add_tcase(s, irq);
	TCase *polled = tcase_create("polled");
	tcase_add_checked_fixture(polled, setup_polled, teardown);
	tcase_add_test(polled, test_polled_devices_drive_no_line);
	suite_add_tcase(s, polled);
	TCase *machine = tcase_create("machine");
	tcase_add_test(machine, test_vm_hands_out_its_own_parts);
	suite_add_tcase(s, machine);
	return s;
}

CHECK_MAIN(device_host_suite)
