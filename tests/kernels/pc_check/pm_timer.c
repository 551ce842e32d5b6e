/* SPDX-License-Identifier: MIT */
#include "pm_timer.h"

/* A PIO exit costs at least ~1 us on any host, so a frozen or absent timer still ends a
 * deadline after at most this many polls per millisecond (later than asked, never never). */
#define POLLS_PER_MS_WITHOUT_TIMER 200

static uint16_t timer_port;
static uint32_t timer_mask;
static bool timer_trusted;

void pm_timer_init(uint16_t port, bool bits32)
{
	timer_port = port;
	timer_mask = bits32 ? 0xffffffffu : 0xffffffu;
	timer_trusted = port != 0;
}

uint32_t pm_timer_read(void)
{
	return timer_port ? inl(timer_port) & timer_mask : 0;
}

uint32_t pm_timer_mask(void)
{
	return timer_mask;
}

void pm_timer_distrust(void)
{
	timer_trusted = false;
}

void deadline_start(struct deadline *d, uint32_t milliseconds)
{
	d->last = pm_timer_read();
	d->elapsed = 0;
	d->limit = (uint64_t)milliseconds * (PM_TIMER_HZ / 1000);
	d->polls = 0;
	d->max_polls = timer_trusted ? 0xffffffffu : milliseconds * POLLS_PER_MS_WITHOUT_TIMER;
}

bool deadline_passed(struct deadline *d)
{
	uint32_t now = pm_timer_read();
	d->elapsed += (now - d->last) & timer_mask;
	d->last = now;
	return d->elapsed >= d->limit || ++d->polls >= d->max_polls;
}

uint32_t deadline_elapsed_ms(const struct deadline *d)
{
	return (uint32_t)div64(d->elapsed, PM_TIMER_HZ / 1000, NULL);
}

void delay_us(uint32_t microseconds)
{
	struct deadline d;
	deadline_start(&d, 0);
	d.limit = div64((uint64_t)microseconds * PM_TIMER_HZ, 1000000, NULL) + 1;
	d.max_polls = timer_trusted ? 0xffffffffu : microseconds / 5 + 1;
	while (!deadline_passed(&d))
		cpu_relax();
}
