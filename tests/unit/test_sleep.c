/* SPDX-License-Identifier: MIT */
/* The S3 wake inputs of vmm/machine/sleep.c on a VM without KVM (no vCPUs, no guest memory, so
 * no FACS: every wake ends as the platform reset that replaces a missing waking vector): which
 * input wakes, the RTC alarm's level kept while awake, and the run's stop while asleep. */
#include <string.h>
#include <time.h>

#include "machine/vm.h"
#include "test_check_main.h"

static struct vm vm;
static unsigned woken;

static void record_woke(void *dev, enum wake_source source)
{
	(void)dev;
	(void)source;
	woken++;
}

static void setup(void)
{
	vm_init_without_kvm(&vm);
	woken = 0;
}

static void teardown(void)
{
	vm_destroy(&vm);
}

static void suspend(bool rtc_alarm_wakes)
{
	const struct sleep_request request = {.rtc_alarm_wakes = rtc_alarm_wakes,
					      .woke = record_woke};
	vm_suspend(&vm, &request);
}

/* A hang guard only (never a timing check): the sleep thread gets 30 s to act. */
static bool wait_for(bool (*done)(void))
{
	for (int i = 0; i < 3000 && !done(); i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	return done();
}

static bool asleep(void)
{
	return atomic_load(&vm.sleep.phase) == SLEEP_ASLEEP;
}

static bool stopped(void)
{
	return stop_requested(&vm.stop);
}

/* No FACS: the wake is a reset, which without --reboot ends the run with status 87. */
static void assert_woke_into_reset(void)
{
	ck_assert(wait_for(stopped));
	ck_assert_int_eq(atomic_load(&vm.stop.reason), STOP_GUEST_RESET);
	ck_assert_str_eq(vm.reboot.source, "S3 wake without a waking vector");
	ck_assert_uint_eq(woken, 0); /* WAK_STS only for a resume at a vector */
}

START_TEST(test_rtc_alarm_wakes_when_enabled)
{
	suspend(true);
	ck_assert(wait_for(asleep));
	ck_assert(!stopped());
	vm_wake_input(&vm, WAKE_RTC_ALARM, true);
	assert_woke_into_reset();
}
END_TEST

START_TEST(test_rtc_alarm_ignored_without_rtc_en_console_wakes)
{
	suspend(false);
	ck_assert(wait_for(asleep));
	vm_wake_input(&vm, WAKE_RTC_ALARM, true);
	ck_assert(!vm.sleep.wake_pending); /* decided in the call, under the lock */
	vm_wake_input(&vm, WAKE_CONSOLE_INPUT, true);
	assert_woke_into_reset();
}
END_TEST

START_TEST(test_unacknowledged_alarm_wakes_at_entry)
{
	vm_wake_input(&vm, WAKE_RTC_ALARM, true); /* fired while awake, register C not read */
	suspend(true);				  /* nothing else ever wakes it */
	assert_woke_into_reset();
}
END_TEST

START_TEST(test_acknowledged_alarm_does_not_wake)
{
	vm_wake_input(&vm, WAKE_RTC_ALARM, true);
	vm_wake_input(&vm, WAKE_RTC_ALARM, false);    /* the guest read register C */
	vm_wake_input(&vm, WAKE_CONSOLE_INPUT, true); /* awake: only input */
	suspend(true);
	ck_assert(!vm.sleep.wake_pending);
	ck_assert(wait_for(asleep));
	ck_assert(!stopped());
}
END_TEST

START_TEST(test_stop_while_asleep_ends_the_sleep_thread)
{
	suspend(true);
	ck_assert(wait_for(asleep));
	stop_request_raise(&vm.stop, STOP_TIMEOUT, VMM_EXIT_TIMEOUT);
	/* teardown joins the thread: a thread that missed the stop would hang here */
}
END_TEST

static Suite *sleep_suite(void)
{
	Suite *s = suite_create("sleep");
	TCase *tc = tcase_create("wake_inputs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rtc_alarm_wakes_when_enabled);
	tcase_add_test(tc, test_rtc_alarm_ignored_without_rtc_en_console_wakes);
	tcase_add_test(tc, test_unacknowledged_alarm_wakes_at_entry);
	tcase_add_test(tc, test_acknowledged_alarm_does_not_wake);
	tcase_add_test(tc, test_stop_while_asleep_ends_the_sleep_thread);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(sleep_suite)
