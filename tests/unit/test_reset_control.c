/* The reset ports (vmm/devices/reset_control.c, vmm/machine/reboot.c): i8042 0xFE and port 0xCF9
 * end the run with VMM_EXIT_GUEST_RESET, or with --reboot mark a reboot pending (up to
 * VM_MAX_REBOOTS). */
#include <string.h>

#include "devices/devices.h"
#include "machine/reboot.h"
#include "test_check_main.h"

static struct vm vm;

static void setup(void)
{
	vm_init_without_kvm(&vm);
	struct vmm_error err;
	ck_assert_int_eq(reset_control_module.attach(&vm, &err), 0);
}

static void teardown(void)
{
	vm_destroy(&vm);
}

static void out(uint16_t port, uint8_t value)
{
	ck_assert_ptr_nonnull(bus_access(&vm.pio_bus, port, &value, 1, true));
}

static uint8_t in(uint16_t port)
{
	uint8_t value = 0;
	ck_assert_ptr_nonnull(bus_access(&vm.pio_bus, port, &value, 1, false));
	return value;
}

START_TEST(test_i8042_status_input_buffer_empty)
{
	ck_assert_uint_eq(in(0x64) & 0x03, 0);	  /* input and output buffers empty */
	ck_assert_uint_eq(in(0x64) & 0x04, 0x04); /* system flag */
}
END_TEST

START_TEST(test_i8042_other_commands_ignored)
{
	out(0x64, 0xad); /* disable keyboard */
	out(0x64, 0xaa); /* self test */
	ck_assert(!stop_requested(&vm.stop));
}
END_TEST

START_TEST(test_i8042_pulse_resets)
{
	out(0x64, 0xfe);
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_RESET);
	ck_assert_int_eq(vm.stop.status, VMM_EXIT_GUEST_RESET);
	ck_assert_str_eq(vm.reset_source, "i8042 command 0xFE");
}
END_TEST

START_TEST(test_cf9_needs_rst_cpu_bit)
{
	out(0xcf9, 0x02); /* SYS_RST alone: only chooses the kind of reset */
	ck_assert(!stop_requested(&vm.stop));
	ck_assert_uint_eq(in(0xcf9), 0x02);
	out(0xcf9, 0x06);
	ck_assert_int_eq(vm.stop.status, VMM_EXIT_GUEST_RESET);
	ck_assert_str_eq(vm.reset_source, "port 0xCF9");
}
END_TEST

START_TEST(test_reboot_marks_pending_until_the_cap)
{
	vm.cfg.reboot = true;
	out(0xcf9, 0x04);
	ck_assert(!stop_requested(&vm.stop));
	ck_assert(atomic_load(&vm.reboot_pending));
	vm.reboots = VM_MAX_REBOOTS;
	out(0x64, 0xfe);
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_RESET);
	ck_assert_int_eq(vm.stop.status, VMM_EXIT_GUEST_RESET);
}
END_TEST

/* The latch 0xCF9 reads back is cleared by the reset it asked for (reboot.c calls the hook). */
START_TEST(test_reset_clears_the_cf9_latch)
{
	vm.cfg.reboot = true;
	out(0xcf9, 0x0e); /* FULL_RST | RST_CPU | SYS_RST */
	ck_assert(atomic_load(&vm.reboot_pending));
	ck_assert_uint_eq(in(0xcf9), 0x0a);
	device_table_reset_all(&vm.devices);
	ck_assert_uint_eq(in(0xcf9), 0);
	ck_assert_uint_eq(in(0x64), 0x14); /* the i8042 side has no state to lose */
}
END_TEST

static Suite *reset_control_suite(void)
{
	Suite *s = suite_create("reset_control");
	TCase *tc = tcase_create("ports");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_i8042_status_input_buffer_empty);
	tcase_add_test(tc, test_i8042_other_commands_ignored);
	tcase_add_test(tc, test_i8042_pulse_resets);
	tcase_add_test(tc, test_cf9_needs_rst_cpu_bit);
	tcase_add_test(tc, test_reboot_marks_pending_until_the_cap);
	tcase_add_test(tc, test_reset_clears_the_cf9_latch);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(reset_control_suite)
