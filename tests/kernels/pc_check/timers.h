/* SPDX-License-Identifier: MIT */
#ifndef PC_CHECK_TIMERS_H
#define PC_CHECK_TIMERS_H

#include "acpi.h"

/* The PM timer: monotonic, at its rate against the RTC's seconds, the TSC and the PIT. Sets up
 * pm_timer.c for every later deadline (distrusting the timer if it failed). */
void timers_check(const struct acpi_info *acpi);

#endif
