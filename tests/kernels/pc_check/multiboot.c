/* SPDX-License-Identifier: MIT */
#include "multiboot.h"

/* Offsets in the multiboot information structure (Multiboot 0.6.96 3.3). */
#define MBI_FLAGS	0
#define MBI_MEM_LOWER	4
#define MBI_MEM_UPPER	8
#define MBI_CMDLINE	16
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR	48
#define MBI_LOADER_NAME 64

static void copy_string(char *dst, size_t size, uint32_t address)
{
	const char *src = phys(address);
	size_t n = 0;
	if (address)
		for (; n + 1 < size && src[n]; n++)
			dst[n] = src[n];
	dst[n] = 0;
}

void boot_info_read(uint32_t magic, uint32_t info_address, struct boot_info *boot)
{
	memset(boot, 0, sizeof(*boot));
	boot->magic = magic;
	if (magic != 0x2BADB002 || !info_address)
		return;
	const uint8_t *mbi = phys(info_address);
	boot->flags = get32(mbi + MBI_FLAGS);
	if (boot->flags & MB_INFO_MEMORY) {
		boot->mem_lower_kib = get32(mbi + MBI_MEM_LOWER);
		boot->mem_upper_kib = get32(mbi + MBI_MEM_UPPER);
	}
	if (boot->flags & MB_INFO_CMDLINE)
		copy_string(boot->cmdline, sizeof(boot->cmdline), get32(mbi + MBI_CMDLINE));
	if (boot->flags & MB_INFO_LOADER_NAME)
		copy_string(boot->loader_name, sizeof(boot->loader_name),
			    get32(mbi + MBI_LOADER_NAME));
	if (!(boot->flags & MB_INFO_MEMORY_MAP))
		return;
	/* Each entry: size (not counting itself), base_addr, length, type (3.3). */
	uint32_t offset = 0, length = get32(mbi + MBI_MMAP_LENGTH);
	const uint8_t *map = phys(get32(mbi + MBI_MMAP_ADDR));
	while (offset + 24 <= length) {
		const uint8_t *entry = map + offset;
		uint32_t size = get32(entry);
		if (size < 20)
			break;
		if (boot->map_count == BOOT_MAP_MAX) {
			boot->map_truncated = true;
			break;
		}
		struct memory_range *range = &boot->map[boot->map_count++];
		range->base = get64(entry + 4);
		range->length = get64(entry + 12);
		range->type = get32(entry + 20);
		offset += size + 4;
	}
}

static const char *skip_word(const char *p)
{
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

void boot_argv0(const struct boot_info *boot, char *out, size_t size)
{
	const char *p = boot->cmdline;
	size_t n = 0;
	while (*p == ' ')
		p++;
	for (; *p && *p != ' ' && n + 1 < size; p++)
		out[n++] = *p;
	out[n] = 0;
}

bool boot_arg(const struct boot_info *boot, const char *key, char *out, size_t size)
{
	size_t key_length = strlen(key);
	const char *p = boot->cmdline;
	while (*p == ' ')
		p++;
	for (p = skip_word(p); *p; p = skip_word(p)) {
		if (strncmp(p, key, key_length) || p[key_length] != '=')
			continue;
		size_t n = 0;
		for (p += key_length + 1; *p && *p != ' ' && n + 1 < size; p++)
			out[n++] = *p;
		out[n] = 0;
		return true;
	}
	return false;
}

bool boot_map_covers(const struct boot_info *boot, uint64_t base, uint64_t length, uint32_t type)
{
	for (unsigned i = 0; i < boot->map_count; i++) {
		const struct memory_range *r = &boot->map[i];
		if (r->type == type && base >= r->base && base - r->base <= r->length &&
		    length <= r->length - (base - r->base))
			return true;
	}
	return false;
}

bool boot_map_available_overlaps(const struct boot_info *boot, uint64_t base, uint64_t length)
{
	for (unsigned i = 0; i < boot->map_count; i++) {
		const struct memory_range *r = &boot->map[i];
		if (r->type == 1 && r->base < base + length && base < r->base + r->length)
			return true;
	}
	return false;
}
