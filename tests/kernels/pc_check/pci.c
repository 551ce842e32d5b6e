/* SPDX-License-Identifier: MIT */
/*
 * PCI bus 0 through configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2):
 * a 32-bit write of enable | bus << 16 | device << 11 | function << 8 | register to 0xCF8,
 * then 32-bit data at 0xCFC. A function that is absent reads all ones (6.1); function 0's
 * header type bit 7 says whether functions 1-7 exist. BARs are sized as 6.2.5.1 describes:
 * decoding off in the command register, all ones written, the read-back's writable bits give
 * the size (a power of two), the original value written back.
 */
#include "pci.h"

#include "console.h"
#include "io.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_ENABLE	   0x80000000u
#define PCI_ID		   0x00
#define PCI_COMMAND	   0x04
#define PCI_CLASS	   0x08 /* revision, prog-if, subclass, class */
#define PCI_HEADER	   0x0c /* header type in bits 23-16 */
#define PCI_BAR0	   0x10
#define COMMAND_DECODE	   0x3 /* I/O space, memory space */
#define MULTI_FUNCTION	   0x80
#define HEADER_LAYOUT	   0x7f
#define BAR_IO		   0x1
#define BAR_MEM_TYPE_64	   0x4
#define MAX_FUNCTIONS	   32

struct function {
	uint8_t device, function, layout;
};

static uint32_t config_read(unsigned device, unsigned function, unsigned reg)
{
	outl(PCI_CONFIG_ADDRESS, PCI_ENABLE | device << 11 | function << 8 | (reg & 0xfc));
	return inl(PCI_CONFIG_DATA);
}

static void config_write(unsigned device, unsigned function, unsigned reg, uint32_t value)
{
	outl(PCI_CONFIG_ADDRESS, PCI_ENABLE | device << 11 | function << 8 | (reg & 0xfc));
	outl(PCI_CONFIG_DATA, value);
}

static unsigned enumerate(struct function *found)
{
	char list[400] = "";
	unsigned count = 0, odd_absent = 0;
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
			uint8_t header = (uint8_t)(config_read(device, function, PCI_HEADER) >> 16);
			if (count < MAX_FUNCTIONS)
				found[count++] = (struct function){
				    (uint8_t)device, (uint8_t)function, header & HEADER_LAYOUT};
			text_append(list, sizeof(list), " 00:%02x.%u %04x:%04x %02x/%02x", device,
				    function, id & 0xffff, id >> 16, class >> 24,
				    (class >> 16) & 0xff);
			if (device == 0 && function == 0 && class >> 16 == 0x0600)
				host_bridge_at_0 = true;
			if (function == 0 && !(header & MULTI_FUNCTION))
				break;
		}
	}
	check(
	    host_bridge_at_0 && !odd_absent, "pci_bus0",
	    "%u functions (slot vendor:device class/subclass):%s; host bridge 06/00 at 00:00.0 %s; "
	    "%u absent functions not all ones",
	    count, list, host_bridge_at_0 ? "present" : "MISSING", odd_absent);
	return count;
}

enum bar_result { BAR_BAD, BAR_UNIMPLEMENTED, BAR_SIZED };

/* Sizes one BAR, appending it to list; *slots: the BAR registers it takes (2 if 64-bit). */
static enum bar_result size_bar(const struct function *f, unsigned index, unsigned *slots,
				char *list, size_t size)
{
	unsigned reg = PCI_BAR0 + 4 * index;
	uint32_t original = config_read(f->device, f->function, reg);
	config_write(f->device, f->function, reg, 0xffffffffu);
	uint32_t sized = config_read(f->device, f->function, reg);
	config_write(f->device, f->function, reg, original);
	*slots = 1;
	if (config_read(f->device, f->function, reg) != original) {
		text_append(list, size, " 00:%02x.%u/%u NOT RESTORED", f->device, f->function,
			    index);
		return BAR_BAD;
	}
	if (!sized) { /* unimplemented: reads 0 whatever is written */
		if (original)
			text_append(list, size, " 00:%02x.%u/%u NOT READ-ONLY", f->device,
				    f->function, index);
		return original ? BAR_BAD : BAR_UNIMPLEMENTED;
	}
	bool io = sized & BAR_IO;
	uint32_t mask = io ? sized & ~0x3u : sized & ~0xfu;
	if (io && !(mask >> 16)) /* I/O BARs may decode only 16 bits */
		mask |= 0xffff0000u;
	uint32_t bytes = ~mask + 1;
	bool good = bytes && !(bytes & (bytes - 1)) && bytes >= (io ? 4u : 16u);
	text_append(list, size, " 00:%02x.%u/%u %s 0x%x%s", f->device, f->function, index,
		    io ? "io" : "mem", bytes, good ? "" : " NOT A POWER OF TWO");
	if (!io && (sized & 0x6) == BAR_MEM_TYPE_64)
		*slots = 2;
	return good ? BAR_SIZED : BAR_BAD;
}

static void check_bars(const struct function *found, unsigned count)
{
	char list[400] = "";
	unsigned sized = 0, bad = 0;
	for (unsigned i = 0; i < count; i++) {
		const struct function *f = &found[i];
		unsigned bars = f->layout == 0 ? 6 : f->layout == 1 ? 2 : 0; /* device, bridge */
		if (!bars)
			continue;
		uint32_t command = config_read(f->device, f->function, PCI_COMMAND) & 0xffff;
		config_write(f->device, f->function, PCI_COMMAND, command & ~COMMAND_DECODE);
		for (unsigned index = 0, slots; index < bars; index += slots) {
			enum bar_result result = size_bar(f, index, &slots, list, sizeof(list));
			sized += result == BAR_SIZED;
			bad += result == BAR_BAD;
		}
		config_write(f->device, f->function, PCI_COMMAND, command);
	}
	check(!bad, "pci_bar_sizing", "%u functions: %u BARs sized, %u bad (slot/BAR type size):%s",
	      count, sized, bad, list[0] ? list : " none implemented");
}

void pci_check(void)
{
	struct function found[MAX_FUNCTIONS];
	check_bars(found, enumerate(found));
}
