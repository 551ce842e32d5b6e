/* SPDX-License-Identifier: MIT */
#ifndef PC_CHECK_SMP_H
#define PC_CHECK_SMP_H

#include "acpi.h"

/* Starts every enabled MADT processor but this one with INIT-SIPI-SIPI and checks each runs. */
void smp_check(const struct acpi_info *acpi, uint32_t trampoline, unsigned expected_cpus);

/* Run by each application processor on its own stack (boot.S ap_entry). */
void ap_main(void);

#endif
