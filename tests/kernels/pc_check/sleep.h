/* SPDX-License-Identifier: MIT */
#ifndef PC_CHECK_SLEEP_H
#define PC_CHECK_SLEEP_H

#include "acpi.h"
#include "multiboot.h"

/* ACPI mode on (SCI_EN), through SMI_CMD if the firmware left the machine in legacy mode. */
void acpi_mode_check(const struct acpi_info *acpi);
/* Suspend to RAM with an RTC alarm to wake. Returns only if the machine did not sleep (or
 * cannot): the resume continues in s3_resumed(), which ends with pc_check_finish(). */
void s3_check(const struct acpi_info *acpi, const struct boot_info *boot, uint32_t trampoline);
/* Soft-off; returns only if the machine kept running (then reports and exits another way). */
void s5_power_off(const struct acpi_info *acpi);

/* main.c: the summary, then S5. */
void pc_check_finish(const struct acpi_info *acpi) __attribute__((noreturn));

#endif
