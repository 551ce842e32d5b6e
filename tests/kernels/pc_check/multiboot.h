/* SPDX-License-Identifier: MIT */
/* What the boot loader handed over (Multiboot 0.6.96 3.3), copied into the kernel's own memory
 * at once, so nothing later (the AP trampoline, a sleep) can overwrite what is still needed. */
#ifndef PC_CHECK_MULTIBOOT_H
#define PC_CHECK_MULTIBOOT_H

#include "io.h"

#define BOOT_CMDLINE_MAX 512
#define BOOT_MAP_MAX	 32

struct memory_range {
	uint64_t base, length;
	uint32_t type; /* 1 available, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad */
};

struct boot_info {
	uint32_t magic, flags;
	uint32_t mem_lower_kib, mem_upper_kib;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[64];
	struct memory_range map[BOOT_MAP_MAX];
	unsigned map_count;
	bool map_truncated;
};

#define MB_INFO_MEMORY	    (1u << 0)
#define MB_INFO_CMDLINE	    (1u << 2)
#define MB_INFO_MEMORY_MAP  (1u << 6)
#define MB_INFO_LOADER_NAME (1u << 9)

void boot_info_read(uint32_t magic, uint32_t info_address, struct boot_info *boot);
/* The first word of the command line (argv[0]) into out. */
void boot_argv0(const struct boot_info *boot, char *out, size_t size);
/* The value of "key=value" among the words after argv[0]; false when absent. */
bool boot_arg(const struct boot_info *boot, const char *key, char *out, size_t size);
/* Whether [base, base + length) lies inside one range of the memory map of the given type. */
bool boot_map_covers(const struct boot_info *boot, uint64_t base, uint64_t length, uint32_t type);
/* Whether any available range overlaps [base, base + length). */
bool boot_map_available_overlaps(const struct boot_info *boot, uint64_t base, uint64_t length);

#endif
