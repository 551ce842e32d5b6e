/* SPDX-License-Identifier: MIT */
/*
 * Ports that end the run with a status the guest chooses, so a guest's exit(0) becomes the
 * user's shell status 0:
 * - minivmm's own exit port (MINIVMM_EXIT_PORT): a write of v gives status v for v up to
 *   MINIVMM_EXIT_STATUS_MAX (63) and 63 for anything larger: 64 and above are minivmm's own
 *   statuses (util/vmm_error.h), which a guest must not be able to pose as;
 * - QEMU's isa-debug-exit (port 0xf4): a write of v gives ((v << 1) | 1) & 0xff, so guests
 *   written for `qemu -device isa-debug-exit,iobase=0xf4` behave the same here. That can be any
 *   odd status, minivmm's 65 or 143 too: the run's stderr (minivmm always says why when it ends
 *   a run itself) and `--result` tell the two apart.
 * Either way the stop request keeps the port and the value as written, for the report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device_table.h"
#include "devices/devices.h"
#include "machine/bus.h"
#include "machine/stop.h"
#include "minivmm/boot_abi.h"

struct exit_port {
	struct stop_request *stop;
	uint16_t port; /* MINIVMM_EXIT_PORT or MINIVMM_ISA_DEBUG_EXIT_PORT */
};

static int exit_port_status(uint16_t port, uint32_t value)
{
	if (port == MINIVMM_ISA_DEBUG_EXIT_PORT)
		return (int)(((value << 1) | 1) & 0xff);
	return value <= MINIVMM_EXIT_STATUS_MAX ? (int)value : MINIVMM_EXIT_STATUS_MAX;
}

static void exit_port_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct exit_port *port = opaque;
	uint32_t value = 0;
	(void)offset;
	memcpy(&value, data, len < 4 ? len : 4);
	stop_request_raise_guest_exit(port->stop, exit_port_status(port->port, value), port->port,
				      value);
}

static const struct bus_device_ops exit_port_ops = {.write = exit_port_write};

static int exit_port_attach_at(const struct device_host *host, uint16_t port_base, uint16_t width,
			       const char *name, struct vmm_error *err)
{
	struct exit_port *port = calloc(1, sizeof *port);
	if (!port)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	port->stop = host->stop;
	port->port = port_base;
	int ret = device_table_add(host->devices, name, port, free, NULL, err);
	if (ret) {
		free(port);
		return ret;
	}
	ret = bus_register(host->pio_bus, port_base, width, name, &exit_port_ops, port);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL, "cannot register %s at 0x%x",
				     name, port_base);
	return 0;
}

static int minivmm_exit_attach(const struct device_host *host, struct vmm_error *err)
{
	return exit_port_attach_at(host, MINIVMM_EXIT_PORT, 4, "exit-port", err);
}

static int isa_debug_exit_attach(const struct device_host *host, struct vmm_error *err)
{
	/* QEMU's default iosize is 1; guests also write 2 or 4 bytes, so claim 4 ports. */
	return exit_port_attach_at(host, MINIVMM_ISA_DEBUG_EXIT_PORT, 4, "isa-debug-exit", err);
}

const struct device_module exit_port_module = {"exit-port", minivmm_exit_attach};
const struct device_module isa_debug_exit_module = {"isa-debug-exit", isa_debug_exit_attach};
