/* SPDX-License-Identifier: MIT */
/*
 * The machine's end of the power line (devices/device_host.h): the ACPI sleep states a guest
 * enters through PM1_CNT.SLP_EN (devices/acpi_pm.c; ACPI 6.5 section 16.1).
 *
 * S5, soft-off: the run ends with status 0 and the reason "guest powered off"
 * (STOP_POWER_OFF); the control socket hears VM_EVENT_POWER_OFF first.
 */
#ifndef MINIVMM_SLEEP_H
#define MINIVMM_SLEEP_H

struct vm;

/* S5. On the thread of the exit that asked (a vCPU's); the stop kicks every vCPU, so none runs
 * guest code after the write that powered off but to complete it. */
void vm_power_off(struct vm *vm);

#endif
