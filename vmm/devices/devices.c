/* SPDX-License-Identifier: MIT */
/*
 * The devices every VM gets, in the order they are attached. The order is also the order of a
 * guest reset (device_table.h), so it is kept here as one table rather than left to link order.
 */
#include "devices/devices.h"

static const struct device_module *const device_modules[] = {
    &uart8250_com1_module, &exit_port_module,  &isa_debug_exit_module,
    &bench_device_module,  &rtc_cmos_module,   &reset_control_module,
    &acpi_pm_module,	   &pci_config_module, &virtio_rng_module,
};

/* Defined only in test builds (MINIVMM_TEST_DEVICES: the minivmm-test binary links
 * devices/test_escape_device.c); a weak reference pulls nothing into minivmm itself. */
extern const struct device_module test_device_module __attribute__((weak));

int devices_attach_all(const struct device_host *host, struct vmm_error *err)
{
	int ret = 0;
	for (size_t i = 0; !ret && i < sizeof device_modules / sizeof device_modules[0]; i++)
		ret = device_modules[i]->attach(host, err);
	if (!ret && &test_device_module)
		ret = test_device_module.attach(host, err);
	return ret;
}
