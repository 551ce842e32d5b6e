/* SPDX-License-Identifier: MIT */
/* The ACPI PM timer (ACPI 6.5 4.8.3.3): 3.579545 MHz, 24 or 32 bits (FADT TMR_VAL_EXT), and
 * the deadlines every wait in pc_check is bounded by. */
#ifndef PC_CHECK_PM_TIMER_H
#define PC_CHECK_PM_TIMER_H

#include "io.h"

#define PM_TIMER_HZ 3579545u

void pm_timer_init(uint16_t port, bool bits32);
uint32_t pm_timer_read(void);
uint32_t pm_timer_mask(void);
/* Set when the timer failed its checks: deadlines then count polls instead of ticks. */
void pm_timer_distrust(void);

/* A timeout that survives the 24-bit wrap (4.7 s): elapsed ticks accumulate at each poll. */
struct deadline {
	uint32_t last;
	uint64_t elapsed, limit;
	uint32_t polls, max_polls;
};
#define DEADLINE_NONE 1000000u /* ms: a deadline used only to count ticks */
void deadline_start(struct deadline *d, uint32_t milliseconds);
bool deadline_passed(struct deadline *d);
uint32_t deadline_elapsed_ms(const struct deadline *d);
void delay_us(uint32_t microseconds);

#endif
