/* Every device module minivmm has; vm.c attaches them in this order. A new device is one new
 * file that defines a struct device_module, plus one line here and one in vm.c's table. */
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

#endif
