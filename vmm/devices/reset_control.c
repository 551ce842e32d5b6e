/* SPDX-License-Identifier: MIT */
/*
 * The two ways a PC guest resets itself, both pulling the handle's reset line (device_host.h;
 * the machine's side is machine/reboot.c):
 * - The i8042 keyboard controller's command port 0x64: command 0xFE "pulse output port bit 0",
 *   which is wired to the CPU's reset line (IBM PC/AT Technical Reference, keyboard controller
 *   commands). Reads of 0x64 return a status byte with the input buffer empty (bit 1 clear, so a
 *   guest waiting to send its command goes ahead), the output buffer empty (bit 0) and the
 *   system flag (bit 2, self-test passed) and keyboard-not-inhibited (bit 4) set. Other commands
 *   are ignored: there is no keyboard.
 * - The reset control register at port 0xCF9 (Intel PCH datasheets, "Reset Control Register"):
 *   bit 1 chooses a hard reset, bit 2 (RST_CPU) starts the reset, bit 3 asks for a full reset.
 *   A write with bit 2 set resets; the written bits 1 and 3 read back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device_table.h"
#include "devices/devices.h"
#include "machine/bus.h"
#include "platform/pc_layout.h"

#define I8042_COMMAND_PORT   0x64
#define I8042_PULSE_RESET    0xfe
#define I8042_STATUS_IDLE    0x14 /* system flag (bit 2), keyboard not inhibited (bit 4) */
#define RESET_CONTROL_PORT   PC_RESET_REG_PORT /* the FADT's RESET_REG names it too */
#define RESET_CONTROL_RST    0x04	       /* RST_CPU */
#define RESET_CONTROL_STORED 0x0a	       /* SYS_RST (bit 1), FULL_RST (bit 3) */

struct reset_control {
	struct reset_line line;
	uint8_t cf9_value;
};

static void i8042_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	(void)opaque;
	(void)offset;
	for (uint32_t i = 0; i < len; i++)
		data[i] = I8042_STATUS_IDLE;
}

static void i8042_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct reset_control *reset = opaque;
	(void)offset;
	if (len >= 1 && data[0] == I8042_PULSE_RESET)
		reset_line_request(&reset->line, "i8042 command 0xFE");
}

static void cf9_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct reset_control *reset = opaque;
	(void)offset;
	for (uint32_t i = 0; i < len; i++)
		data[i] = reset->cf9_value;
}

static void cf9_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct reset_control *reset = opaque;
	(void)offset;
	if (len < 1)
		return;
	reset->cf9_value = data[0] & RESET_CONTROL_STORED;
	if (data[0] & RESET_CONTROL_RST)
		reset_line_request(&reset->line, "port 0xCF9");
}

/* The reset control register's default is 00h (Intel PCH datasheets): the SYS_RST and
 * FULL_RST choices the old boot latched are forgotten, so every boot reads 0 at 0xCF9, the first
 * one included. The i8042 side has no state. */
static void reset_control_reset(void *state)
{
	struct reset_control *reset = state;
	reset->cf9_value = 0;
}

/* Snapshot: the 0xCF9 latch, one byte. */
static size_t reset_control_save(void *state, void *buf)
{
	struct reset_control *reset = state;
	memcpy(buf, &reset->cf9_value, 1);
	return 1;
}

static int reset_control_load(void *state, const void *buf, size_t len)
{
	struct reset_control *reset = state;
	uint8_t value;
	if (len != 1)
		return -EINVAL;
	memcpy(&value, buf, 1);
	if (value & ~RESET_CONTROL_STORED)
		return -EINVAL;
	reset->cf9_value = value;
	return 0;
}

static const struct bus_device_ops i8042_ops = {.read = i8042_read, .write = i8042_write};
static const struct bus_device_ops cf9_ops = {.read = cf9_read, .write = cf9_write};

static int reset_control_attach(const struct device_host *host, struct vmm_error *err)
{
	struct reset_control *reset = calloc(1, sizeof *reset);
	if (!reset)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	reset->line = host->reset;
	int ret = device_table_add(host->devices, "reset", reset, free, reset_control_reset, err);
	if (!ret)
		device_table_set_snapshot(host->devices, reset, reset_control_save,
					  reset_control_load);
	if (ret) {
		free(reset);
		return ret;
	}
	ret = bus_register(host->pio_bus, I8042_COMMAND_PORT, 1, "i8042", &i8042_ops, reset);
	ret =
	    ret ?: bus_register(host->pio_bus, RESET_CONTROL_PORT, 1, "reset-cf9", &cf9_ops, reset);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL,
				     "cannot register the reset ports 0x64 and 0xcf9");
	return 0;
}

const struct device_module reset_control_module = {"reset", reset_control_attach};
