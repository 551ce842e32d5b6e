/* SPDX-License-Identifier: MIT */
/* The ACPI PM block (vmm/devices/acpi_pm.c) against ACPI 6.5 section 4.8: the PM timer's rate,
 * wrap and monotony on a test clock (nothing sleeps), PM1_STS write-1-to-clear and TMR_STS,
 * PM1_EN, PM1_CNT's SLP_EN with the sleep types of platform/pc_layout.h, the SCI level, and the
 * block on a VM's I/O bus, where S5 ends the run with status 0. */
#include <string.h>

#include "devices/acpi_pm.h"
#include "devices/device_table.h"
#include "devices/devices.h"
#include "machine/vm.h"
#include "test_check_main.h"

#define NS 1000000000LL

static struct acpi_pm pm;
static int64_t now_ns;
static struct {
	unsigned off, suspends;
	struct sleep_request last_request;
	bool sci;
	unsigned sci_changes;
} seen;

static int64_t test_clock(void *ctx)
{
	(void)ctx;
	return now_ns;
}

static void record_off(void *ctx)
{
	ck_assert_ptr_eq(ctx, &pm);
	seen.off++;
}

static void record_suspend(void *ctx, const struct sleep_request *request)
{
	ck_assert_ptr_eq(ctx, &pm);
	seen.suspends++;
	seen.last_request = *request;
}

static int record_sci(void *ctx, unsigned irq, bool level)
{
	ck_assert_ptr_eq(ctx, &pm);
	ck_assert_uint_eq(irq, PC_ACPI_SCI_IRQ);
	seen.sci = level;
	seen.sci_changes++;
	return 0;
}

/* The count the spec defines, computed independently in 128 bits: floor(ns * f / 10^9). */
static uint32_t expected_count(int64_t ns)
{
	return (uint32_t)((unsigned __int128)ns * PC_ACPI_PM_TMR_HZ / (unsigned __int128)NS);
}

static void setup(void)
{
	memset(&seen, 0, sizeof seen);
	now_ns = 5 * NS; /* the VM was created at 5 s on the host's clock */
	const struct irq_line sci = {.set = record_sci, .ctx = &pm, .irq = PC_ACPI_SCI_IRQ};
	const struct power_line power = {.off = record_off, .suspend = record_suspend, .ctx = &pm};
	acpi_pm_init(&pm, test_clock, NULL, &sci, &power);
}

static void teardown(void)
{
	acpi_pm_destroy(&pm);
}

static unsigned read16(unsigned offset)
{
	uint8_t b[2];
	acpi_pm_read(&pm, offset, b, 2);
	return b[0] | (unsigned)b[1] << 8;
}

static void write16(unsigned offset, unsigned value)
{
	uint8_t b[2] = {(uint8_t)value, (uint8_t)(value >> 8)};
	acpi_pm_write(&pm, offset, b, 2);
}

static uint32_t read_tmr(void)
{
	uint8_t b[4];
	acpi_pm_read(&pm, ACPI_PM_REG_TMR, b, 4);
	return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

START_TEST(test_timer_starts_at_zero_and_counts_at_3579545_hz)
{
	ck_assert_uint_eq(read_tmr(), 0);
	now_ns += NS;
	ck_assert_uint_eq(read_tmr(), 3579545);
	now_ns += NS / 2;
	ck_assert_uint_eq(read_tmr(), 5369317); /* 1.5 s: 5369317.5 rounded down */
	now_ns += 279;				/* one tick is 279.37 ns */
	ck_assert_uint_eq(read_tmr(), 5369318);
	ck_assert_uint_eq(acpi_pm_timer(&pm), read_tmr());
}
END_TEST

START_TEST(test_timer_wraps_at_32_bits)
{
	ck_assert_int_eq(PC_ACPI_PM_TMR_32BIT, 1); /* this test is about the 32-bit counter */
	/* The first ns at which the count reaches 2^32: the counter reads 0 again. */
	int64_t wrap_ns = (int64_t)(((unsigned __int128)1 << 32) * NS / PC_ACPI_PM_TMR_HZ) + 1;
	now_ns = 5 * NS + wrap_ns - 300;
	ck_assert_uint_ge(read_tmr(), 0xfffffffeu);
	now_ns = 5 * NS + wrap_ns;
	ck_assert_uint_eq(read_tmr(), 0);
	now_ns += NS;
	ck_assert_uint_eq(read_tmr(), expected_count(wrap_ns + NS));
}
END_TEST

START_TEST(test_timer_arithmetic_does_not_overflow)
{
	/* ns * f passes 2^64 after 85 minutes; a guest may run for a year. */
	static const int64_t runs[] = {86 * 60 * NS, 365LL * 86400 * NS + 123456789, INT64_MAX / 2};
	for (unsigned i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		now_ns = 5 * NS + runs[i];
		ck_assert_uint_eq(read_tmr(), expected_count(runs[i]));
	}
}
END_TEST

START_TEST(test_timer_never_runs_backwards)
{
	now_ns += 2 * NS;
	uint32_t before = read_tmr();
	now_ns -= NS; /* a clock that stepped back (a restored snapshot, a buggy source) */
	ck_assert_uint_eq(read_tmr(), before);
	now_ns = 0; /* before the VM was created */
	ck_assert_uint_eq(read_tmr(), before);
	now_ns = 7 * NS + 1000;
	ck_assert_uint_gt(read_tmr(), before);
}
END_TEST

START_TEST(test_timer_bytes_and_writes)
{
	now_ns += 3 * NS + 12345;
	uint32_t value = read_tmr();
	for (unsigned i = 0; i < 4; i++) {
		uint8_t b;
		acpi_pm_read(&pm, ACPI_PM_REG_TMR + i, &b, 1);
		ck_assert_uint_eq(b, (uint8_t)(value >> (8 * i)));
	}
	const uint8_t zero[4] = {0};
	acpi_pm_write(&pm, ACPI_PM_REG_TMR, zero, 4); /* read-only */
	ck_assert_uint_eq(read_tmr(), value);
}
END_TEST

START_TEST(test_tmr_sts_on_msb_toggle_write_one_to_clear)
{
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), 0);
	int64_t half_ns = (int64_t)(((unsigned __int128)1 << 31) * NS / PC_ACPI_PM_TMR_HZ) + 1;
	now_ns = 5 * NS + half_ns; /* bit 31 goes from 0 to 1 */
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), ACPI_PM1_TMR);
	write16(ACPI_PM_REG_STS, 0); /* writing 0 changes nothing */
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), ACPI_PM1_TMR);
	write16(ACPI_PM_REG_STS, ACPI_PM1_TMR);
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), 0);
	now_ns += half_ns; /* and back to 0 at the wrap: set again */
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), ACPI_PM1_TMR);
}
END_TEST

START_TEST(test_enables_read_back_reserved_bits_stay_zero)
{
	write16(ACPI_PM_REG_EN, 0xffff);
	ck_assert_uint_eq(read16(ACPI_PM_REG_EN), ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN |
						      ACPI_PM1_SLPBTN | ACPI_PM1_RTC);
	uint8_t high = 0; /* a byte write changes only its byte */
	acpi_pm_write(&pm, ACPI_PM_REG_EN + 1, &high, 1);
	ck_assert_uint_eq(read16(ACPI_PM_REG_EN), ACPI_PM1_TMR | ACPI_PM1_GBL);
}
END_TEST

START_TEST(test_control_sci_en_from_power_on_slp_en_write_only)
{
	ck_assert_uint_eq(read16(ACPI_PM_REG_CNT), ACPI_PM1_CNT_SCI_EN);
	unsigned typ = 5u << ACPI_PM1_CNT_SLP_TYP_SHIFT; /* a type the DSDT does not offer */
	write16(ACPI_PM_REG_CNT,
		ACPI_PM1_CNT_SCI_EN | typ | ACPI_PM1_CNT_SLP_EN | ACPI_PM1_CNT_GBL_RLS);
	ck_assert_uint_eq(read16(ACPI_PM_REG_CNT), ACPI_PM1_CNT_SCI_EN | typ);
	ck_assert_uint_eq(seen.off, 0);
}
END_TEST

START_TEST(test_s5_pulls_the_power_line)
{
	unsigned s5 = PC_ACPI_SLP_TYP_S5 << ACPI_PM1_CNT_SLP_TYP_SHIFT;
	write16(ACPI_PM_REG_CNT, ACPI_PM1_CNT_SCI_EN | s5); /* ACPICA writes the type first */
	ck_assert_uint_eq(seen.off, 0);
	write16(ACPI_PM_REG_CNT, ACPI_PM1_CNT_SCI_EN | s5 | ACPI_PM1_CNT_SLP_EN);
	ck_assert_uint_eq(seen.off, 1);
	/* SLP_TYP and SLP_EN in one byte write of the high half */
	uint8_t high = (uint8_t)((s5 | ACPI_PM1_CNT_SLP_EN) >> 8);
	acpi_pm_write(&pm, ACPI_PM_REG_CNT + 1, &high, 1);
	ck_assert_uint_eq(seen.off, 2);
}
END_TEST

START_TEST(test_s3_asks_to_suspend_and_the_wake_sets_wak_sts)
{
	unsigned s3 = PC_ACPI_SLP_TYP_S3 << ACPI_PM1_CNT_SLP_TYP_SHIFT;
	write16(ACPI_PM_REG_EN, ACPI_PM1_RTC);
	write16(ACPI_PM_REG_CNT, ACPI_PM1_CNT_SCI_EN | s3 | ACPI_PM1_CNT_SLP_EN);
	ck_assert_uint_eq(seen.suspends, 1);
	ck_assert_uint_eq(seen.off, 0);
	ck_assert(seen.last_request.rtc_alarm_wakes);
	/* WAK_STS only at the wake: ACPICA's loop on it must not end before */
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS) & ACPI_PM1_WAK, 0);
	seen.last_request.woke(seen.last_request.dev, WAKE_RTC_ALARM);
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), ACPI_PM1_WAK | ACPI_PM1_RTC);
	ck_assert(seen.sci); /* RTC_STS with RTC_EN and SCI_EN */
	write16(ACPI_PM_REG_STS, ACPI_PM1_WAK | ACPI_PM1_RTC);
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), 0);
	ck_assert(!seen.sci);
	/* RTC_EN clear: the request says the alarm does not wake; a console wake sets WAK_STS */
	write16(ACPI_PM_REG_EN, 0);
	write16(ACPI_PM_REG_CNT, ACPI_PM1_CNT_SCI_EN | s3 | ACPI_PM1_CNT_SLP_EN);
	ck_assert_uint_eq(seen.suspends, 2);
	ck_assert(!seen.last_request.rtc_alarm_wakes);
	seen.last_request.woke(seen.last_request.dev, WAKE_CONSOLE_INPUT);
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), ACPI_PM1_WAK);
	ck_assert(!seen.sci); /* WAK_STS has no enable: no SCI */
}
END_TEST

START_TEST(test_sci_follows_status_and_enable)
{
	write16(ACPI_PM_REG_EN, ACPI_PM1_TMR);
	ck_assert(!seen.sci);
	now_ns += 700 * NS;		       /* past bit 31's toggle (600 s) */
	write16(ACPI_PM_REG_EN, ACPI_PM1_TMR); /* the level is looked at on an access */
	ck_assert(seen.sci);
	write16(ACPI_PM_REG_STS, ACPI_PM1_TMR);
	ck_assert(!seen.sci);
	now_ns += 700 * NS;
	write16(ACPI_PM_REG_CNT, 0); /* SCI_EN clear: no SCI whatever the status */
	ck_assert(!seen.sci);
	write16(ACPI_PM_REG_CNT, ACPI_PM1_CNT_SCI_EN);
	ck_assert(seen.sci);
	acpi_pm_reset(&pm);
	ck_assert(!seen.sci);
	ck_assert_uint_eq(read16(ACPI_PM_REG_EN), 0);
	ck_assert_uint_eq(read16(ACPI_PM_REG_STS), 0);
	ck_assert_uint_eq(read16(ACPI_PM_REG_CNT), ACPI_PM1_CNT_SCI_EN);
}
END_TEST

START_TEST(test_outside_the_registers)
{
	uint8_t b[2] = {0x12, 0x34};
	acpi_pm_write(&pm, 6, b, 2); /* the reserved half of the PM1_CNT dword */
	acpi_pm_read(&pm, 6, b, 2);
	ck_assert_uint_eq(b[0] | b[1] << 8, 0);
	ck_assert_uint_eq(read16(ACPI_PM_REG_CNT), ACPI_PM1_CNT_SCI_EN);
}
END_TEST

/* ---- on a VM's I/O bus: the ports of pc_layout.h, and S5 ends the run with status 0 ---- */

static struct vm vm;

static void vm_setup(void)
{
	vm_init_without_kvm(&vm);
	struct vmm_error err;
	ck_assert_int_eq(vm_attach_device(&vm, &acpi_pm_module, &err), 0);
}

static void vm_teardown(void)
{
	vm_destroy(&vm);
}

START_TEST(test_s5_on_the_vm_powers_off_with_status_0)
{
	uint8_t cnt[2];
	ck_assert_ptr_nonnull(bus_access(&vm.pio_bus, PC_ACPI_PM1A_CNT_BLK, cnt, 2, false));
	ck_assert_uint_eq(cnt[0] | cnt[1] << 8, ACPI_PM1_CNT_SCI_EN);
	uint8_t tmr[4];
	ck_assert_ptr_nonnull(bus_access(&vm.pio_bus, PC_ACPI_PM_TMR_BLK, tmr, 4, false));
	unsigned v = (PC_ACPI_SLP_TYP_S5 << ACPI_PM1_CNT_SLP_TYP_SHIFT) | ACPI_PM1_CNT_SLP_EN;
	uint8_t slp[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	ck_assert(!stop_requested(&vm.stop));
	ck_assert_ptr_nonnull(bus_access(&vm.pio_bus, PC_ACPI_PM1A_CNT_BLK, slp, 2, true));
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_POWER_OFF);
	ck_assert_int_eq(vm.stop.status, 0);
	ck_assert_str_eq(stop_reason_name(STOP_POWER_OFF), "guest powered off");
}
END_TEST

static Suite *acpi_pm_suite(void)
{
	Suite *s = suite_create("acpi_pm");
	TCase *timer = tcase_create("timer");
	tcase_add_checked_fixture(timer, setup, teardown);
	tcase_add_test(timer, test_timer_starts_at_zero_and_counts_at_3579545_hz);
	tcase_add_test(timer, test_timer_wraps_at_32_bits);
	tcase_add_test(timer, test_timer_arithmetic_does_not_overflow);
	tcase_add_test(timer, test_timer_never_runs_backwards);
	tcase_add_test(timer, test_timer_bytes_and_writes);
	suite_add_tcase(s, timer);
	TCase *regs = tcase_create("registers");
	tcase_add_checked_fixture(regs, setup, teardown);
	tcase_add_test(regs, test_tmr_sts_on_msb_toggle_write_one_to_clear);
	tcase_add_test(regs, test_enables_read_back_reserved_bits_stay_zero);
	tcase_add_test(regs, test_control_sci_en_from_power_on_slp_en_write_only);
	tcase_add_test(regs, test_s5_pulls_the_power_line);
	tcase_add_test(regs, test_s3_asks_to_suspend_and_the_wake_sets_wak_sts);
	tcase_add_test(regs, test_sci_follows_status_and_enable);
	tcase_add_test(regs, test_outside_the_registers);
	suite_add_tcase(s, regs);
	TCase *machine = tcase_create("machine");
	tcase_add_checked_fixture(machine, vm_setup, vm_teardown);
	tcase_add_test(machine, test_s5_on_the_vm_powers_off_with_status_0);
	suite_add_tcase(s, machine);
	return s;
}

CHECK_MAIN(acpi_pm_suite)
