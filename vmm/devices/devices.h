/* SPDX-License-Identifier: MIT */
/* Every device module minivmm has, and the one call that attaches them all to a VM, in the order
 * of devices.c's table. A new device is one new file that defines a struct device_module, plus
 * one line here and one in that table. */
#ifndef MINIVMM_DEVICES_H
#define MINIVMM_DEVICES_H

#include "devices/device_host.h"

extern const struct device_module uart8250_com1_module;
extern const struct device_module exit_port_module;
extern const struct device_module isa_debug_exit_module;
extern const struct device_module bench_device_module;
extern const struct device_module rtc_cmos_module;
extern const struct device_module reset_control_module;
extern const struct device_module virtio_rng_module;
extern const struct device_module acpi_pm_module;
extern const struct device_module pci_config_module;

/* Attaches every module to the machine behind host, in table order (which is also the order of
 * a guest reset); stops at the first failure (err filled; vm_destroy frees what was attached). */
int devices_attach_all(const struct device_host *host, struct vmm_error *err);

#endif
