/* SPDX-License-Identifier: MIT */
/*
 * What rtc_cmos.c (the register model) gives rtc_cmos_snapshot.c (its saved form): a load sets
 * the IRQ 8 line and the timer's next event from the registers it took, as a register access
 * does. Not for other files: they use rtc_cmos.h.
 */
#ifndef MINIVMM_RTC_CMOS_INTERNAL_H
#define MINIVMM_RTC_CMOS_INTERNAL_H

#include <stdint.h>

#include "devices/rtc_cmos.h"

/* Nanoseconds on the model's clock as cycles of the 32.768 kHz time base, rounded down. */
int64_t rtc_cmos_ns_to_cycles(int64_t ns);

/* IRQF from register C's flags and register B's enables, and the line (host.set_irq) after it.
 * With the lock held. */
void rtc_cmos_update_irq(struct rtc_cmos *rtc);

/* Tells the host (host.reschedule) when the line could next rise after `cycle`. With the lock
 * held. */
void rtc_cmos_reschedule(struct rtc_cmos *rtc, int64_t cycle);

#endif
