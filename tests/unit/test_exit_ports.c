/* SPDX-License-Identifier: MIT */
/* Exit ports: minivmm's own (v -> v up to 63, 63 above: 64 and up are minivmm's statuses) and
 * QEMU's isa-debug-exit (v -> ((v << 1) | 1) & 0xff), each keeping the value as written; and the
 * console's Ctrl-A escape. */
#include <string.h>

#include "devices/devices.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"

static struct vm vm;

static void setup(void)
{
	vm_init_without_kvm(&vm);
	struct vmm_error err;
	ck_assert_int_eq(vm_attach_device(&vm, &exit_port_module, &err), 0);
	ck_assert_int_eq(vm_attach_device(&vm, &isa_debug_exit_module, &err), 0);
}

static void teardown(void)
{
	vm_destroy(&vm);
}

static void out(uint16_t port, uint32_t value, uint32_t len)
{
	uint8_t data[4];
	memcpy(data, &value, 4);
	ck_assert_ptr_nonnull(bus_access(&vm.pio_bus, port, data, len, true));
}

START_TEST(test_minivmm_exit_port_status)
{
	ck_assert(!stop_requested(&vm.stop));
	out(MINIVMM_EXIT_PORT, 42, 4);
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_EXIT);
	ck_assert_int_eq(vm.stop.status, 42);
	ck_assert_uint_eq(vm.stop.guest_port, MINIVMM_EXIT_PORT);
	ck_assert_uint_eq(vm.stop.guest_value, 42);
}
END_TEST

/* Issue 13: v & 0xff let a guest end the run with 88 ("sandbox violation"), 124 ("timeout") or
 * 130 ("SIGINT"), silently. Every value above 63 gives 63; the value itself is kept. */
static const struct {
	uint32_t value, len;
	int status;
} exit_port_values[] = {
    {63, 1, 63},   {64, 1, 63},	   {88, 4, 63},	      {124, 1, 63},	   {130, 2, 63},
    {0xff, 1, 63}, {0x100, 2, 63}, {0x12342a, 4, 63}, {0xffffffff, 4, 63},
};

START_TEST(test_minivmm_exit_port_cannot_pose_as_minivmm)
{
	out(MINIVMM_EXIT_PORT, exit_port_values[_i].value, exit_port_values[_i].len);
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_EXIT);
	ck_assert_int_eq(vm.stop.status, exit_port_values[_i].status);
	ck_assert_uint_eq(vm.stop.guest_value, exit_port_values[_i].value);
}
END_TEST

START_TEST(test_minivmm_exit_port_zero_is_success)
{
	out(MINIVMM_EXIT_PORT, 0, 1);
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_EXIT);
	ck_assert_int_eq(vm.stop.status, 0);
}
END_TEST

START_TEST(test_isa_debug_exit_convention)
{
	out(MINIVMM_ISA_DEBUG_EXIT_PORT, 3, 1);
	ck_assert_int_eq(vm.stop.status, 7);
	ck_assert_uint_eq(vm.stop.guest_port, MINIVMM_ISA_DEBUG_EXIT_PORT);
	ck_assert_uint_eq(vm.stop.guest_value, 3);
}
END_TEST

START_TEST(test_isa_debug_exit_keeps_qemu_arithmetic)
{
	/* QEMU's (v << 1) | 1 stays, minivmm's 65 included: the stop says it was the guest. */
	out(MINIVMM_ISA_DEBUG_EXIT_PORT, 32, 1);
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_EXIT);
	ck_assert_int_eq(vm.stop.status, 65);
	ck_assert_uint_eq(vm.stop.guest_value, 32);
}
END_TEST

START_TEST(test_first_stop_wins)
{
	out(MINIVMM_ISA_DEBUG_EXIT_PORT, 0, 2); /* status 1 */
	out(MINIVMM_EXIT_PORT, 9, 1);
	ck_assert_int_eq(vm.stop.status, 1);
	ck_assert(!stop_request_raise(&vm.stop, STOP_TIMEOUT, VMM_EXIT_TIMEOUT));
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_EXIT);
}
END_TEST

START_TEST(test_ports_overlap_refused)
{
	struct vmm_error err;
	ck_assert_int_lt(vm_attach_device(&vm, &exit_port_module, &err), 0); /* same port twice */
	ck_assert_int_eq(err.status, VMM_EXIT_INTERNAL);
}
END_TEST

START_TEST(test_console_escape_filter)
{
	bool pending = false, quit, snapshot;
	uint8_t out_bytes[16];
	const uint8_t plain[] = "ab";
	ck_assert_uint_eq(console_filter_input(&pending, plain, 2, out_bytes, &quit, &snapshot), 2);
	ck_assert(!quit);
	const uint8_t literal[] = {'a', 0x01, 0x01, 'b'};
	ck_assert_uint_eq(console_filter_input(&pending, literal, 4, out_bytes, &quit, &snapshot),
			  3);
	ck_assert_mem_eq(out_bytes, "a\001b", 3);
	const uint8_t split1[] = {'z', 0x01};
	ck_assert_uint_eq(console_filter_input(&pending, split1, 2, out_bytes, &quit, &snapshot),
			  1);
	ck_assert(pending && !quit);
	const uint8_t split2[] = {'x', 'y'};
	ck_assert_uint_eq(console_filter_input(&pending, split2, 2, out_bytes, &quit, &snapshot),
			  0);
	ck_assert(quit && !snapshot);
	const uint8_t snap[] = {0x01, 's', 'q'};
	ck_assert_uint_eq(console_filter_input(&pending, snap, 3, out_bytes, &quit, &snapshot), 1);
	ck_assert(snapshot && !quit && out_bytes[0] == 'q');
}
END_TEST

static Suite *exit_ports_suite(void)
{
	Suite *s = suite_create("exit_ports");
	TCase *tc = tcase_create("ports");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_minivmm_exit_port_status);
	tcase_add_test(tc, test_minivmm_exit_port_zero_is_success);
	tcase_add_loop_test(tc, test_minivmm_exit_port_cannot_pose_as_minivmm, 0,
			    sizeof exit_port_values / sizeof exit_port_values[0]);
	tcase_add_test(tc, test_isa_debug_exit_convention);
	tcase_add_test(tc, test_isa_debug_exit_keeps_qemu_arithmetic);
	tcase_add_test(tc, test_first_stop_wins);
	tcase_add_test(tc, test_ports_overlap_refused);
	suite_add_tcase(s, tc);
	TCase *con = tcase_create("console");
	tcase_add_test(con, test_console_escape_filter);
	suite_add_tcase(s, con);
	return s;
}

CHECK_MAIN(exit_ports_suite)
