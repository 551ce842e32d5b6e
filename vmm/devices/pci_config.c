/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, section 3.2.2.3.2) at the
 * ports of platform/pc_layout.h, and the one PCI bus behind it: bus 0 with a host bridge at
 * 00:00.0 and nothing else (docs/platform.md).
 *
 * CONFIG_ADDRESS (0xCF8) is a 32-bit register: bit 31 enables configuration cycles, bits 23-16
 * are the bus, 15-11 the device, 10-8 the function, 7-2 the dword register; bits 30-24 are
 * reserved and 1-0 read 0. Only 32-bit accesses reach it: the range is registered exact
 * (machine/bus.h), so the byte port 0xCF9 stays the reset control register (reset_control.c)
 * and any other access to 0xCF8-0xCFB is ordinary, unclaimed I/O, as the spec describes.
 * CONFIG_DATA (0xCFC-0xCFF) reads and writes bytes, words or the dword of the register
 * CONFIG_ADDRESS names, at the access's offset in it. With the enable bit clear, or for a
 * function that does not exist (any bus but 0, any device or function but 00.0), reads give all
 * ones and writes are dropped: what a PC's host bridge answers with a master abort.
 *
 * The host bridge: vendor 8086h device 1237h revision 02h, the Intel 82441FX of QEMU's `-M pc`
 * (so a kernel sees the bridge it sees there), class 06/00/00 (host bridge), header type 00h
 * (one function), no BARs, no capabilities, no interrupt pin. Only the Command register's I/O,
 * memory, bus-master, parity and SERR# enables are writable; every other field is read-only and
 * ignores writes. It has no BARs, so nothing here sizes one: an unimplemented BAR reads 0 and
 * stays 0 when all ones are written, which is how software learns it is not there (3.0
 * section 6.2.5.1).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/device_table.h"
#include "devices/devices.h"
#include "machine/bus.h"
#include "platform/pc_layout.h"

#define PCI_CONFIG_ENABLE	 0x80000000u
#define PCI_CONFIG_ADDRESS_BITS	 0x80fffffcu /* enable, bus, device, function, register */
#define PCI_CONFIG_FUNCTION_MASK 0x00ffff00u /* bus, device, function: 0 for 00:00.0 */
#define PCI_CONFIG_REGISTER_MASK 0xfcu

/* Type 0 header offsets (PCI 3.0 figure 6-1). */
#define PCI_VENDOR_ID	   0x00
#define PCI_DEVICE_ID	   0x02
#define PCI_COMMAND	   0x04
#define PCI_REVISION_ID	   0x08
#define PCI_CLASS_SUB	   0x0a
#define PCI_CLASS_BASE	   0x0b
#define PCI_HEADER_TYPE	   0x0e
#define PCI_COMMAND_RW	   0x0147 /* I/O, memory, bus master, parity response, SERR# */
#define HOST_BRIDGE_VENDOR 0x8086
#define HOST_BRIDGE_DEVICE 0x1237
#define HOST_BRIDGE_REV	   0x02
#define PCI_CLASS_BRIDGE   0x06 /* subclass 00h: host bridge; prog-if 00h */

struct pci_config {
	pthread_mutex_t lock; /* every vCPU may use the ports */
	uint32_t address;     /* CONFIG_ADDRESS */
	uint16_t command;     /* the host bridge's Command register */
};

/* Byte reg (0-255) of the host bridge's configuration space. */
static uint8_t host_bridge_byte(const struct pci_config *pci, unsigned reg)
{
	uint16_t word;
	switch (reg & ~1u) {
	case PCI_VENDOR_ID:
		word = HOST_BRIDGE_VENDOR;
		break;
	case PCI_DEVICE_ID:
		word = HOST_BRIDGE_DEVICE;
		break;
	case PCI_COMMAND:
		word = pci->command;
		break;
	case PCI_REVISION_ID: /* and prog-if 00h */
		word = HOST_BRIDGE_REV;
		break;
	case PCI_CLASS_SUB: /* subclass 00h, class 06h */
		word = PCI_CLASS_BRIDGE << 8;
		break;
	case PCI_HEADER_TYPE: /* header type 00h, BIST 00h */
	default:
		word = 0;
	}
	return (uint8_t)(word >> (8 * (reg & 1)));
}

static bool selects_host_bridge(uint32_t address)
{
	return (address & PCI_CONFIG_ENABLE) && !(address & PCI_CONFIG_FUNCTION_MASK);
}

static void address_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct pci_config *pci = opaque;
	(void)offset; /* the exact range: always the whole dword */
	pthread_mutex_lock(&pci->lock);
	uint32_t value = pci->address;
	pthread_mutex_unlock(&pci->lock);
	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)(value >> (8 * i));
}

static void address_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct pci_config *pci = opaque;
	(void)offset;
	uint32_t value = 0;
	for (uint32_t i = 0; i < len; i++)
		value |= (uint32_t)data[i] << (8 * i);
	pthread_mutex_lock(&pci->lock);
	pci->address = value & PCI_CONFIG_ADDRESS_BITS;
	pthread_mutex_unlock(&pci->lock);
}

static void data_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct pci_config *pci = opaque;
	pthread_mutex_lock(&pci->lock);
	bool present = selects_host_bridge(pci->address);
	unsigned reg = (pci->address & PCI_CONFIG_REGISTER_MASK) + (unsigned)offset;
	for (uint32_t i = 0; i < len; i++)
		data[i] = present ? host_bridge_byte(pci, reg + i) : 0xff;
	pthread_mutex_unlock(&pci->lock);
}

static void data_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct pci_config *pci = opaque;
	pthread_mutex_lock(&pci->lock);
	unsigned reg = (pci->address & PCI_CONFIG_REGISTER_MASK) + (unsigned)offset;
	for (uint32_t i = 0; selects_host_bridge(pci->address) && i < len; i++) {
		unsigned at = reg + i;
		if ((at & ~1u) != PCI_COMMAND)
			continue; /* read-only */
		unsigned shift = 8 * (at & 1);
		uint16_t writable = (uint16_t)(PCI_COMMAND_RW & (0xffu << shift));
		pci->command = (uint16_t)((pci->command & ~writable) |
					  (((unsigned)data[i] << shift) & writable));
	}
	pthread_mutex_unlock(&pci->lock);
}

/* A platform reset: CONFIG_ADDRESS and the Command register back to 0 (PCI 3.0 6.2.2). */
static void pci_config_reset(void *state)
{
	struct pci_config *pci = state;
	pthread_mutex_lock(&pci->lock);
	pci->address = 0;
	pci->command = 0;
	pthread_mutex_unlock(&pci->lock);
}

/* Snapshot (docs/snapshot.md): CONFIG_ADDRESS and the Command register, 4 + 2 bytes. */
#define PCI_SNAPSHOT_LEN 6

static size_t pci_config_save(void *state, void *buf)
{
	struct pci_config *pci = state;
	uint8_t *out = buf;
	pthread_mutex_lock(&pci->lock);
	memcpy(out, &pci->address, 4);
	memcpy(out + 4, &pci->command, 2);
	pthread_mutex_unlock(&pci->lock);
	return PCI_SNAPSHOT_LEN;
}

static int pci_config_load(void *state, const void *buf, size_t len)
{
	struct pci_config *pci = state;
	uint32_t address;
	uint16_t command;
	if (len != PCI_SNAPSHOT_LEN)
		return -EINVAL;
	memcpy(&address, buf, 4);
	memcpy(&command, (const uint8_t *)buf + 4, 2);
	if ((address & ~PCI_CONFIG_ADDRESS_BITS) || (command & ~PCI_COMMAND_RW))
		return -EINVAL; /* no guest write could have left these bits set */
	pthread_mutex_lock(&pci->lock);
	pci->address = address;
	pci->command = command;
	pthread_mutex_unlock(&pci->lock);
	return 0;
}

static void pci_config_free(void *state)
{
	struct pci_config *pci = state;
	pthread_mutex_destroy(&pci->lock);
	free(pci);
}

static const struct bus_device_ops address_ops = {.read = address_read, .write = address_write};
static const struct bus_device_ops data_ops = {.read = data_read, .write = data_write};

static int pci_config_attach(const struct device_host *host, struct vmm_error *err)
{
	struct pci_config *pci = calloc(1, sizeof *pci);
	if (!pci)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	pthread_mutex_init(&pci->lock, NULL);
	int ret =
	    device_table_add(host->devices, "pci", pci, pci_config_free, pci_config_reset, err);
	if (ret) {
		pci_config_free(pci);
		return ret;
	}
	device_table_set_snapshot(host->devices, pci, pci_config_save, pci_config_load);
	ret = bus_register_exact(host->pio_bus, PC_PCI_CONFIG_ADDRESS, 4, "pci-config-address",
				 &address_ops, pci);
	ret = ret
		  ?: bus_register(host->pio_bus, PC_PCI_CONFIG_DATA, 4, "pci-config-data",
				  &data_ops, pci);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL,
				     "cannot register the PCI configuration ports 0x%x and 0x%x",
				     PC_PCI_CONFIG_ADDRESS, PC_PCI_CONFIG_DATA);
	return 0;
}

const struct device_module pci_config_module = {"pci", pci_config_attach};
