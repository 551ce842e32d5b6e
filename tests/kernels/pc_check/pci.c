/* SPDX-License-Identifier: MIT */
/*
 * PCI bus 0 through configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2):
 * a 32-bit write of enable | bus << 16 | device << 11 | function << 8 | register to 0xCF8,
 * then 32-bit data at 0xCFC. A function that is absent reads all ones (6.1); function 0's
 * header type bit 7 says whether functions 1-7 exist.
 */
#include "pci.h"

#include "console.h"
#include "io.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_ENABLE	   0x80000000u
#define PCI_ID		   0x00
#define PCI_CLASS	   0x08 /* revision, prog-if, subclass, class */
#define PCI_HEADER	   0x0c /* header type in bits 23-16 */
#define MULTI_FUNCTION	   0x80

static uint32_t config_read(unsigned device, unsigned function, unsigned reg)
{
	outl(PCI_CONFIG_ADDRESS, PCI_ENABLE | device << 11 | function << 8 | (reg & 0xfc));
	return inl(PCI_CONFIG_DATA);
}

void pci_check(void)
{
	char list[400] = "";
	unsigned functions = 0, odd_absent = 0;
	bool host_bridge_at_0 = false;
	for (unsigned device = 0; device < 32; device++) {
		for (unsigned function = 0; function < 8; function++) {
			uint32_t id = config_read(device, function, PCI_ID);
			if ((id & 0xffff) == 0xffff) {
				/* absent: the whole dword must read as all ones */
				odd_absent += id != 0xffffffffu;
				if (function == 0)
					break;
				continue;
			}
			uint32_t class = config_read(device, function, PCI_CLASS);
			functions++;
			text_append(list, sizeof(list), " 00:%02x.%u %04x:%04x %02x/%02x", device,
				    function, id & 0xffff, id >> 16, class >> 24,
				    (class >> 16) & 0xff);
			if (device == 0 && function == 0 && class >> 16 == 0x0600)
				host_bridge_at_0 = true;
			if (function == 0 &&
			    !((config_read(device, 0, PCI_HEADER) >> 16) & MULTI_FUNCTION))
				break;
		}
	}
	check(
	    host_bridge_at_0 && !odd_absent, "pci_bus0",
	    "%u functions (slot vendor:device class/subclass):%s; host bridge 06/00 at 00:00.0 %s; "
	    "%u absent functions not all ones",
	    functions, list, host_bridge_at_0 ? "present" : "MISSING", odd_absent);
}
