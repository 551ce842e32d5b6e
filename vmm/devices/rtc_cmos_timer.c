/* SPDX-License-Identifier: MIT */
/*
 * The CMOS RTC on a VM: the register model (rtc_cmos.c) at ports 0x70/0x71, and with an
 * in-kernel irqchip its IRQ 8 line (the handle's irq_line: KVM_IRQ_LINE) and the host timer
 * that raises it while the guest runs.
 *
 * The timer is one thread that sleeps on a condition variable, waking at the time
 * rtc_cmos_service() names: the next periodic tick (at most 1024 a second) or the next update
 * (once a second), and only while the line is down and an interrupt is enabled. The line stays
 * up until the guest reads register C; that read (or a write of A or B) calls reschedule(),
 * which wakes the thread only if the new event is earlier than the one it sleeps for. So an
 * interrupt costs two wake-ups at most, a guest that never acknowledges costs none, and no
 * guest setting can make the thread spin: ticks it was late for are coalesced into one flag.
 *
 * Why a thread and not a timerfd: the vCPU threads sit in KVM_RUN, and the threads that poll
 * fds are each one device's own (the console's stdin, a virtio worker's eventfds), so a timerfd
 * would need a thread of its own anyway, and one more allowed call. A condition variable needs
 * only futex and clock_gettime, which the sandbox allows already. Its waits are on
 * CLOCK_MONOTONIC, converted from the wall-clock event time each time round: a step of the
 * host's clock then shifts one wait instead of stalling the timer until the wall clock catches
 * up.
 *
 * The thread starts the first time the guest enables an interrupt (from the vCPU thread, under
 * the sandbox: clone with CLONE_THREAD and non-executable stacks are allowed), so a VM whose
 * guest never does pays nothing for it. It has no name (pthread_setname_np would need prctl or
 * open under the filter). Without an irqchip there is no line and no thread; register C still
 * shows the flags to a guest that polls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/monotonic_wait.h"
#include "host/quiet_thread.h"
#include "devices/device_table.h"
#include "devices/devices.h"
#include "devices/rtc_cmos.h"
#include "machine/bus.h"
#include "util/monotonic_clock.h"

struct rtc_cmos_timer {
	struct rtc_cmos rtc; /* first: the device state handed to the bus */
	struct irq_line irq;
	struct wake_line wake_line; /* the alarm wakes an S3 sleep (machine/sleep.h) */
	bool alarm_active;	    /* the line is up with AF set: the wake input's level */
	pthread_cond_t wake;	    /* on CLOCK_MONOTONIC; waited on with rtc.lock */
	pthread_t thread;
	bool thread_started, thread_failed, stopping;
	int64_t sleeping_until; /* the event (wall-clock ns) the thread waits for */
};

static void rtc_set_irq(void *ctx, bool level)
{
	struct rtc_cmos_timer *timer = ctx;
	irq_line_set(&timer->irq, level);
	/* The alarm's interrupt is also a PC's RTC wake event (ACPI 6.5 4.8.3.1.1, RTC_STS),
	 * active until the guest reads register C and the line falls. */
	bool alarm = level && (timer->rtc.ram[RTC_REG_C] & RTC_C_AF);
	if (alarm != timer->alarm_active) {
		timer->alarm_active = alarm;
		wake_line_set(&timer->wake_line, WAKE_RTC_ALARM, alarm);
	}
}

static void *timer_main(void *arg)
{
	struct rtc_cmos_timer *timer = arg;
	struct rtc_cmos *rtc = &timer->rtc;
	pthread_mutex_lock(&rtc->lock);
	while (!timer->stopping) {
		int64_t event = rtc_cmos_service(rtc);
		timer->sleeping_until = event;
		if (event == RTC_NO_EVENT) {
			pthread_cond_wait(&timer->wake, &rtc->lock);
			continue;
		}
		int64_t delay = event - rtc_cmos_now(rtc);
		if (delay <= 0)
			continue; /* due already: service it (time moves on, so this ends) */
		int64_t deadline = (int64_t)monotonic_ns() + delay;
		struct timespec until = {.tv_sec = deadline / 1000000000LL,
					 .tv_nsec = deadline % 1000000000LL};
		pthread_cond_timedwait(&timer->wake, &rtc->lock, &until);
	}
	pthread_mutex_unlock(&rtc->lock);
	return NULL;
}

static void start_thread(struct rtc_cmos_timer *timer)
{
	int ret = quiet_thread_create(&timer->thread, NULL, timer_main, timer);
	if (ret == 0) {
		timer->thread_started = true;
		return;
	}
	timer->thread_failed = true; /* once: the guest cannot make us retry in a loop */
	fprintf(stderr,
		"minivmm: note: no RTC timer thread (%s): RTC interrupts rise only when the guest "
		"reads the RTC\n",
		strerror(ret));
}

/* The model's call after an access, with rtc.lock held (the thread cannot be between its
 * service and its wait). */
static void rtc_reschedule(void *ctx, int64_t next_event)
{
	struct rtc_cmos_timer *timer = ctx;
	if (next_event == RTC_NO_EVENT || timer->stopping)
		return;
	if (!timer->thread_started) {
		if (!timer->thread_failed)
			start_thread(timer); /* it services the RTC as soon as we unlock */
		return;
	}
	if (next_event < timer->sleeping_until)
		pthread_cond_signal(&timer->wake);
}

static void rtc_cmos_timer_free(void *state) /* state is &timer->rtc, the start of the struct */
{
	struct rtc_cmos_timer *timer = state;
	if (timer->thread_started) {
		pthread_mutex_lock(&timer->rtc.lock);
		timer->stopping = true;
		pthread_cond_signal(&timer->wake);
		pthread_mutex_unlock(&timer->rtc.lock);
		pthread_join(timer->thread, NULL);
	}
	pthread_cond_destroy(&timer->wake);
	rtc_cmos_destroy(&timer->rtc);
	free(timer);
}

/* A guest reset: the chip's RESET pin. The thread, if any, stays and finds nothing to do. */
static void rtc_cmos_timer_reset(void *state)
{
	struct rtc_cmos *rtc = state;
	pthread_mutex_lock(&rtc->lock);
	rtc_cmos_reset(rtc);
	pthread_mutex_unlock(&rtc->lock);
}

static size_t rtc_cmos_timer_save(void *state, void *buf)
{
	struct rtc_cmos *rtc = state;
	pthread_mutex_lock(&rtc->lock);
	size_t len = rtc_cmos_save(rtc, buf);
	pthread_mutex_unlock(&rtc->lock);
	return len;
}

static int rtc_cmos_timer_load(void *state, const void *buf, size_t len)
{
	struct rtc_cmos *rtc = state;
	pthread_mutex_lock(&rtc->lock);
	int ret = rtc_cmos_load(rtc, buf, len);
	pthread_mutex_unlock(&rtc->lock);
	return ret;
}

static int rtc_cmos_attach(const struct device_host *host, struct vmm_error *err)
{
	struct rtc_cmos_timer *timer = calloc(1, sizeof *timer);
	if (!timer)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	timer->irq = device_host_irq_line(host, RTC_CMOS_IRQ);
	timer->wake_line = host->wake;
	timer->sleeping_until = RTC_NO_EVENT;
	monotonic_cond_init(&timer->wake);
	/* The interrupt line only exists with an in-kernel irqchip; polled otherwise. */
	const struct rtc_cmos_host model_host = {
	    .set_irq = irq_line_connected(&timer->irq) ? rtc_set_irq : NULL,
	    .reschedule = irq_line_connected(&timer->irq) ? rtc_reschedule : NULL,
	    .ctx = timer,
	};
	rtc_cmos_init(&timer->rtc, &model_host);
	int ret = device_table_add(host->devices, "rtc-cmos", &timer->rtc, rtc_cmos_timer_free,
				   rtc_cmos_timer_reset, err);
	if (ret) {
		rtc_cmos_timer_free(timer);
		return ret;
	}
	device_table_set_snapshot(host->devices, &timer->rtc, rtc_cmos_timer_save,
				  rtc_cmos_timer_load);
	ret = bus_register(host->pio_bus, RTC_CMOS_PORT, RTC_CMOS_PORT_COUNT, "rtc-cmos",
			   &rtc_cmos_bus_ops, &timer->rtc);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL,
				     "cannot register the RTC at 0x70");
	return 0;
}

const struct device_module rtc_cmos_module = {"rtc-cmos", rtc_cmos_attach};
