/* SPDX-License-Identifier: MIT */
#include "trampoline.h"

#define BASE_MEMORY_END	 0xa0000u
#define BDA_EBDA_SEGMENT 0x40e

extern const uint8_t trampoline_start[], trampoline_gdtr[], trampoline_end[];
extern const uint8_t gdt_descriptor[6];

static bool overlaps(uint32_t base, uint32_t length, uint32_t other, uint32_t other_length)
{
	return other_length && base < other + other_length && other < base + length;
}

uint32_t trampoline_install(const struct boot_info *boot, const struct mp_info *mp)
{
	uint32_t size = (uint32_t)(trampoline_end - trampoline_start);
	uint32_t ebda = (uint32_t)get16(phys(BDA_EBDA_SEGMENT)) << 4;
	uint32_t top = ebda && ebda < BASE_MEMORY_END ? ebda : BASE_MEMORY_END;
	if (size > TRAMPOLINE_TARGET)
		return 0;
	for (uint32_t page = (top & ~0xfffu) - 0x1000; page >= 0x1000; page -= 0x1000) {
		if (!boot_map_covers(boot, page, 0x1000, 1) ||
		    overlaps(page, 0x1000, mp->floating_pointer, 16) ||
		    overlaps(page, 0x1000, mp->config_table, mp->config_length))
			continue;
		uint8_t *copy = phys(page);
		memset(copy, 0, 0x1000);
		memcpy(copy, trampoline_start, size);
		memcpy(copy + (trampoline_gdtr - trampoline_start), gdt_descriptor, 6);
		trampoline_set_target(page, NULL);
		return page;
	}
	return 0;
}

extern void halt_forever(void);

void trampoline_set_target(uint32_t page, void (*target)(void))
{
	uint32_t address = (uint32_t)(uintptr_t)(target ? target : halt_forever);
	*(volatile uint32_t *)phys(page + TRAMPOLINE_TARGET) = address;
}
