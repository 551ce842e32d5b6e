/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot boot information (Multiboot Specification 0.6.96, 3.3), written where a PC boot
 * loader keeps its own data, in memory the map reports reserved (platform/pc_layout.h):
 *
 *   [PC_BOOT_INFO_GPA, PC_BOOT_INFO_END), inside minivmm's boot data area below the BIOS area:
 *     struct multiboot_info, the memory map, "minivmm", the command line, the module list,
 *     each module's string;
 *   each module at a page boundary (flags bit 0's alignment, given always) from the first page
 *   above both the kernel and 1 MiB, which the kernel must keep until done with it (3.3).
 *
 * The memory map (flags bit 6) is the PC's (platform/pc_memory_map.h): [0, 0x1000) reserved,
 * [0x1000, EBDA) available, [EBDA, 1 MiB) reserved (EBDA, VGA/ROM hole, this information, the
 * ACPI and MP tables), [1 MiB, RAM end) available, the MMIO window reserved. mem_lower is the KiB
 * of conventional memory below the EBDA (639) and mem_upper the KiB from 1 MiB to the end of
 * RAM (3.3).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/multiboot.h"
#include "minivmm/boot_abi.h"
#include "platform/pc_layout.h"
#include "platform/pc_memory_map.h"

#define PAGE 4096ull

_Static_assert(PC_EBDA_BASE % 1024 == 0, "mem_lower counts whole KiB below the EBDA");
_Static_assert(PC_BOOT_INFO_GPA % 8 == 0 && PC_BOOT_INFO_END <= PC_BOOT_DATA_END,
	       "the boot information lies in the boot data area, 8-byte aligned");

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t build_mmap(uint64_t ram_size, struct multiboot_mmap_entry *map)
{
	struct pc_memory_range ranges[PC_MEMORY_MAP_MAX];
	size_t n = pc_memory_map(ram_size, ranges);
	for (size_t i = 0; i < n; i++)
		map[i] = (struct multiboot_mmap_entry){
		    .size = sizeof map[0] - sizeof map[0].size, /* 3.3: excludes itself */
		    .base_addr = ranges[i].base,
		    .length = ranges[i].end - ranges[i].base,
		    .type = ranges[i].available ? MULTIBOOT_MEMORY_AVAILABLE
						: MULTIBOOT_MEMORY_RESERVED,
		};
	return n;
}

/* "NAME ARGS", or "NAME" without arguments: the bytes with its NUL. */
static size_t cmdline_bytes(const struct multiboot_boot_params *p)
{
	size_t n = strlen(p->kernel_name ? p->kernel_name : "") + 1;
	return p->cmdline && *p->cmdline ? n + 1 + strlen(p->cmdline) : n;
}

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
	uint64_t sum;
	return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

static uint64_t align_up_saturating(uint64_t v, uint64_t a)
{
	return v > UINT64_MAX - (a - 1) ? UINT64_MAX : align_up(v, a);
}

void multiboot_info_layout(uint64_t kernel_end, const struct multiboot_boot_params *p,
			   struct multiboot_layout *l)
{
	uint64_t bytes = sizeof(struct multiboot_info) +
			 PC_MEMORY_MAP_MAX * sizeof(struct multiboot_mmap_entry) +
			 sizeof MULTIBOOT_LOADER_NAME +
			 p->module_count * sizeof(struct multiboot_module);
	bytes = add_saturating(bytes, cmdline_bytes(p));
	for (size_t i = 0; i < p->module_count; i++)
		bytes = add_saturating(bytes, strlen(p->modules[i].string) + 1);
	l->info_at = PC_BOOT_INFO_GPA;
	l->info_end = add_saturating(l->info_at, bytes);
	uint64_t above = kernel_end > PC_UPPER_MEMORY_BASE ? kernel_end : PC_UPPER_MEMORY_BASE;
	l->modules_at = align_up_saturating(above, PAGE);
	l->end = p->module_count ? l->modules_at : kernel_end;
	uint64_t at = l->modules_at; /* each module on its own page boundary (flags bit 0) */
	for (size_t i = 0; i < p->module_count; i++) {
		l->end = add_saturating(at, p->modules[i].size);
		at = align_up_saturating(l->end, PAGE);
	}
}

/* Reads module m into guest RAM at gpa (checked to fit): its file must still have the size it
 * had when opened (the layout was made for it). pread(2), which the sandbox allows, so a reboot
 * reads the module again. */
static int read_module(struct guest_mem *mem, const struct multiboot_module_spec *m, uint64_t gpa,
		       struct vmm_error *err)
{
	struct stat st;
	if (fstat(m->fd, &st) != 0)
		return vmm_error_set(err, -errno, VMM_EXIT_NO_GUEST_FILE,
				     "cannot stat --module file '%s': %s", m->name,
				     strerror(errno));
	if ((uint64_t)st.st_size != m->size)
		return vmm_error_set(
		    err, -ESTALE, VMM_EXIT_NO_GUEST_FILE,
		    "--module file '%s' is now %lld bytes, not the %llu it had when "
		    "minivmm opened it: leave modules unchanged while minivmm runs",
		    m->name, (long long)st.st_size, (unsigned long long)m->size);
	uint8_t *dst = guest_mem_gpa_to_hva(mem, gpa, m->size);
	for (uint64_t done = 0; done < m->size;) {
		uint64_t want = m->size - done < (1u << 30) ? m->size - done : (1u << 30);
		ssize_t n = pread(m->fd, dst + done, (size_t)want, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vmm_error_set(err, -errno, VMM_EXIT_NO_GUEST_FILE,
					     "cannot read --module file '%s': %s", m->name,
					     strerror(errno));
		if (n == 0)
			return vmm_error_set(
			    err, -ESTALE, VMM_EXIT_NO_GUEST_FILE,
			    "--module file '%s' ended after %llu of its %llu bytes: "
			    "leave modules unchanged while minivmm runs",
			    m->name, (unsigned long long)done, (unsigned long long)m->size);
		done += (uint64_t)n;
	}
	return 0;
}

/* Copies a string into RAM at *at and returns its address; advances *at. */
static uint32_t put_string(struct guest_mem *mem, uint64_t *at, const char *s)
{
	size_t len = strlen(s) + 1;
	memcpy(guest_mem_gpa_to_hva(mem, *at, len), s, len);
	uint32_t gpa = (uint32_t)*at;
	*at += len;
	return gpa;
}

/* The command line of cmdline_bytes(p) bytes: the kernel's name, a space and the arguments. */
static uint32_t put_cmdline(struct guest_mem *mem, uint64_t *at,
			    const struct multiboot_boot_params *p)
{
	uint32_t gpa = put_string(mem, at, p->kernel_name ? p->kernel_name : "");
	if (p->cmdline && *p->cmdline) {
		*(char *)guest_mem_gpa_to_hva(mem, *at - 1, 1) = ' '; /* over the name's NUL */
		put_string(mem, at, p->cmdline);
	}
	return gpa;
}

int multiboot_write_info(struct guest_mem *mem, const struct multiboot_layout *layout,
			 const struct multiboot_boot_params *params, uint32_t *info_gpa,
			 struct vmm_error *err)
{
	const uint64_t base = layout->info_at;
	/* Checked by the caller; RAM ends below 4 GiB, so every address fits a u32. */
	if (params->module_count > MULTIBOOT_MAX_MODULES || layout->end > mem->size ||
	    layout->info_end > PC_BOOT_INFO_END)
		return vmm_error_set(err, -EFAULT, VMM_EXIT_INTERNAL,
				     "multiboot information escaped the loader's RAM check");
	memset(guest_mem_gpa_to_hva(mem, base, layout->info_end - base), 0,
	       layout->info_end - base);

	struct multiboot_mmap_entry map[PC_MEMORY_MAP_MAX];
	size_t entries = build_mmap(mem->size, map);
	struct multiboot_info info = {
	    .flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
		     MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME,
	    .mem_lower = (uint32_t)(PC_EBDA_BASE / 1024), /* the available range below 1 MiB */
	    .mem_upper = (uint32_t)((mem->size - PC_UPPER_MEMORY_BASE) / 1024),
	    .mods_count = (uint32_t)params->module_count,
	};
	uint64_t at = base + sizeof info;
	info.mmap_addr = (uint32_t)at;
	info.mmap_length = (uint32_t)(entries * sizeof map[0]);
	memcpy(guest_mem_gpa_to_hva(mem, at, info.mmap_length), map, info.mmap_length);
	at += info.mmap_length;
	info.boot_loader_name = put_string(mem, &at, MULTIBOOT_LOADER_NAME);
	info.cmdline = put_cmdline(mem, &at, params);

	struct multiboot_module mods[MULTIBOOT_MAX_MODULES];
	info.mods_addr = (uint32_t)at;
	at += params->module_count * sizeof mods[0];
	uint64_t data_at = layout->modules_at;
	for (size_t i = 0; i < params->module_count; i++) {
		const struct multiboot_module_spec *m = &params->modules[i];
		mods[i] = (struct multiboot_module){
		    .mod_start = (uint32_t)data_at,
		    .mod_end = (uint32_t)(data_at + m->size),
		    .string = put_string(mem, &at, m->string),
		};
		int ret = read_module(mem, m, data_at, err);
		if (ret)
			return ret;
		data_at = align_up(data_at + m->size, PAGE);
	}
	if (params->module_count)
		memcpy(guest_mem_gpa_to_hva(mem, info.mods_addr,
					    sizeof mods[0] * params->module_count),
		       mods, sizeof mods[0] * params->module_count);
	memcpy(guest_mem_gpa_to_hva(mem, base, sizeof info), &info, sizeof info);
	*info_gpa = (uint32_t)base;
	return 0;
}
