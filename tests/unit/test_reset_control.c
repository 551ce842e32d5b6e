/* SPDX-License-Identifier: MIT */
/* The reset ports (vmm/devices/reset_control.c): i8042 0xFE and port 0xCF9 pull the device's
 * reset line, first on a fake host that records the pulls, then on a VM (vmm/machine/reboot.c),
 * where the pull ends the run with VMM_EXIT_GUEST_RESET, or with --reboot marks a reboot pending
 * (up to VM_MAX_REBOOTS). */
#include <string.h>

#include "devices/device_table.h"
#include "devices/devices.h"
#include "machine/reboot.h"
#include "machine/vm.h"
#include "test_check_main.h"

/* ---- the device alone, on a host whose reset line only records ---- */

static struct bus pio;
static struct device_table table;
static unsigned pulls;
static char last_source[64];

static void record_reset(void *ctx, const char *source)
{
	ck_assert_ptr_eq(ctx, &table); /* the handle's context comes back unchanged */
	pulls++;
	snprintf(last_source, sizeof last_source, "%s", source);
}

static void fake_setup(void)
{
	bus_init(&pio, "io");
	memset(&table, 0, sizeof table);
	pulls = 0;
	last_source[0] = '\0';
	const struct device_host host = {
	    .pio_bus = &pio,
	    .devices = &table,
	    .reset = {.request = record_reset, .ctx = &table},
	    .vm_fd = -1,
	};
	struct vmm_error err;
	ck_assert_int_eq(reset_control_module.attach(&host, &err), 0);
}

static void fake_teardown(void)
{
	device_table_destroy_all(&table);
}

static void out(struct bus *bus, uint16_t port, uint8_t value)
{
	ck_assert_ptr_nonnull(bus_access(bus, port, &value, 1, true));
}

static uint8_t in(struct bus *bus, uint16_t port)
{
	uint8_t value = 0;
	ck_assert_ptr_nonnull(bus_access(bus, port, &value, 1, false));
	return value;
}

START_TEST(test_i8042_status_input_buffer_empty)
{
	ck_assert_uint_eq(in(&pio, 0x64) & 0x03, 0);	/* input and output buffers empty */
	ck_assert_uint_eq(in(&pio, 0x64) & 0x04, 0x04); /* system flag */
}
END_TEST

START_TEST(test_i8042_other_commands_ignored)
{
	out(&pio, 0x64, 0xad); /* disable keyboard */
	out(&pio, 0x64, 0xaa); /* self test */
	ck_assert_uint_eq(pulls, 0);
}
END_TEST

START_TEST(test_i8042_pulse_pulls_the_reset_line)
{
	out(&pio, 0x64, 0xfe);
	ck_assert_uint_eq(pulls, 1);
	ck_assert_str_eq(last_source, "i8042 command 0xFE");
}
END_TEST

START_TEST(test_cf9_needs_rst_cpu_bit)
{
	out(&pio, 0xcf9, 0x02); /* SYS_RST alone: only chooses the kind of reset */
	ck_assert_uint_eq(pulls, 0);
	ck_assert_uint_eq(in(&pio, 0xcf9), 0x02);
	out(&pio, 0xcf9, 0x06);
	ck_assert_uint_eq(pulls, 1);
	ck_assert_str_eq(last_source, "port 0xCF9");
}
END_TEST

/* The latch 0xCF9 reads back is cleared by the reset it asked for (reboot.c calls the hook). */
START_TEST(test_reset_clears_the_cf9_latch)
{
	out(&pio, 0xcf9, 0x0e); /* FULL_RST | RST_CPU | SYS_RST */
	ck_assert_uint_eq(pulls, 1);
	ck_assert_uint_eq(in(&pio, 0xcf9), 0x0a);
	device_table_reset_all(&table);
	ck_assert_uint_eq(in(&pio, 0xcf9), 0);
	ck_assert_uint_eq(in(&pio, 0x64), 0x14); /* the i8042 side has no state to lose */
}
END_TEST

/* ---- on a VM: the machine's end of the line (reboot.c) ---- */

static struct vm vm;

static void vm_setup(void)
{
	vm_init_without_kvm(&vm);
	struct vmm_error err;
	ck_assert_int_eq(vm_attach_device(&vm, &reset_control_module, &err), 0);
}

static void vm_teardown(void)
{
	vm_destroy(&vm);
}

START_TEST(test_reset_stops_the_run)
{
	out(&vm.pio_bus, 0x64, 0xfe);
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_RESET);
	ck_assert_int_eq(vm.stop.status, VMM_EXIT_GUEST_RESET);
	ck_assert_str_eq(vm.reboot.source, "i8042 command 0xFE");
}
END_TEST

START_TEST(test_reboot_marks_pending_until_the_cap)
{
	vm.cfg.reboot = true;
	out(&vm.pio_bus, 0xcf9, 0x04);
	ck_assert(!stop_requested(&vm.stop));
	ck_assert(atomic_load(&vm.reboot.pending));
	ck_assert_str_eq(vm.reboot.source, "port 0xCF9");
	vm.reboot.count = VM_MAX_REBOOTS;
	out(&vm.pio_bus, 0x64, 0xfe);
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_RESET);
	ck_assert_int_eq(vm.stop.status, VMM_EXIT_GUEST_RESET);
}
END_TEST

static Suite *reset_control_suite(void)
{
	Suite *s = suite_create("reset_control");
	TCase *tc = tcase_create("ports");
	tcase_add_checked_fixture(tc, fake_setup, fake_teardown);
	tcase_add_test(tc, test_i8042_status_input_buffer_empty);
	tcase_add_test(tc, test_i8042_other_commands_ignored);
	tcase_add_test(tc, test_i8042_pulse_pulls_the_reset_line);
	tcase_add_test(tc, test_cf9_needs_rst_cpu_bit);
	tcase_add_test(tc, test_reset_clears_the_cf9_latch);
	suite_add_tcase(s, tc);
	TCase *machine = tcase_create("machine");
	tcase_add_checked_fixture(machine, vm_setup, vm_teardown);
	tcase_add_test(machine, test_reset_stops_the_run);
	tcase_add_test(machine, test_reboot_marks_pending_until_the_cap);
	suite_add_tcase(s, machine);
	return s;
}

CHECK_MAIN(reset_control_suite)
