/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot boot information (Multiboot Specification 0.6.96, 3.3), written into guest RAM
 * above the loaded kernel:
 *
 *   first page boundary above the kernel's bss:
 *     struct multiboot_info, the memory map, "minivmm", the command line, the module list,
 *     each module's string;
 *   then each module, at the next page boundary (flags bit 0's alignment, given always).
 *
 * The memory map (flags bit 6) is the machine minivmm builds (include/minivmm/boot_abi.h):
 *   [0, MINIVMM_RESERVED_END)          reserved: the VMM's boot structures (GDT, page tables)
 *   [MINIVMM_RESERVED_END, 0xa0000)     available: conventional memory
 *   [0xa0000, 1 MiB)                    reserved: the legacy VGA/ROM hole PC software expects
 *   [1 MiB, RAM end)                    available: holds the kernel, this information and the
 *                                       modules, which the kernel must keep until done (3.3)
 *   [MINIVMM_MMIO_BASE, 4 GiB)          reserved: the MMIO window
 * mem_lower is 640 (KiB from 0) and mem_upper the KiB from 1 MiB to the end of RAM (3.3).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/multiboot.h"
#include "minivmm/boot_abi.h"

#define PAGE	     4096ull
#define MIB	     (1ull << 20)
#define LEGACY_HOLE  0xa0000ull
#define MMAP_ENTRIES 5

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t build_mmap(uint64_t ram_size, struct multiboot_mmap_entry *map)
{
	const struct {
		uint64_t base, end;
		uint32_t type;
	} ranges[MMAP_ENTRIES] = {
	    {0, MINIVMM_RESERVED_END, MULTIBOOT_MEMORY_RESERVED},
	    {MINIVMM_RESERVED_END, LEGACY_HOLE, MULTIBOOT_MEMORY_AVAILABLE},
	    {LEGACY_HOLE, MULTIBOOT_UPPER_MEMORY_BASE, MULTIBOOT_MEMORY_RESERVED},
	    {MULTIBOOT_UPPER_MEMORY_BASE, ram_size, MULTIBOOT_MEMORY_AVAILABLE},
	    {MINIVMM_MMIO_BASE, MINIVMM_IDENTITY_MAP_SIZE, MULTIBOOT_MEMORY_RESERVED},
	};
	size_t n = 0;
	for (size_t i = 0; i < MMAP_ENTRIES; i++) {
		if (ranges[i].end <= ranges[i].base)
			continue;
		map[n++] = (struct multiboot_mmap_entry){
		    .size = sizeof map[0] - sizeof map[0].size, /* 3.3: excludes itself */
		    .base_addr = ranges[i].base,
		    .length = ranges[i].end - ranges[i].base,
		    .type = ranges[i].type,
		};
	}
	return n;
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
	const char *cmdline = p->cmdline ? p->cmdline : "";
	uint64_t bytes = sizeof(struct multiboot_info) +
			 MMAP_ENTRIES * sizeof(struct multiboot_mmap_entry) +
			 sizeof MULTIBOOT_LOADER_NAME + strlen(cmdline) + 1 +
			 p->module_count * sizeof(struct multiboot_module);
	for (size_t i = 0; i < p->module_count; i++)
		bytes = add_saturating(bytes, strlen(p->modules[i].string) + 1);
	l->info_at = align_up_saturating(kernel_end, PAGE);
	l->info_end = add_saturating(l->info_at, bytes);
	l->modules_at = align_up_saturating(l->info_end, PAGE);
	l->end = p->module_count ? l->modules_at : l->info_end;
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

int multiboot_write_info(struct guest_mem *mem, const struct multiboot_layout *layout,
			 const struct multiboot_boot_params *params, uint32_t *info_gpa,
			 struct vmm_error *err)
{
	const char *cmdline = params->cmdline ? params->cmdline : "";
	const uint64_t base = layout->info_at;
	/* Checked by the caller; RAM ends below 4 GiB, so every address fits a u32. */
	if (params->module_count > MULTIBOOT_MAX_MODULES || layout->end > mem->size)
		return vmm_error_set(err, -EFAULT, VMM_EXIT_INTERNAL,
				     "multiboot information escaped the loader's RAM check");
	memset(guest_mem_gpa_to_hva(mem, base, layout->info_end - base), 0,
	       layout->info_end - base);

	struct multiboot_mmap_entry map[MMAP_ENTRIES];
	size_t entries = build_mmap(mem->size, map);
	struct multiboot_info info = {
	    .flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
		     MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME,
	    .mem_lower = MULTIBOOT_LOWER_MEMORY_KIB,
	    .mem_upper = (uint32_t)((mem->size - MULTIBOOT_UPPER_MEMORY_BASE) / 1024),
	    .mods_count = (uint32_t)params->module_count,
	};
	uint64_t at = base + sizeof info;
	info.mmap_addr = (uint32_t)at;
	info.mmap_length = (uint32_t)(entries * sizeof map[0]);
	memcpy(guest_mem_gpa_to_hva(mem, at, info.mmap_length), map, info.mmap_length);
	at += info.mmap_length;
	info.boot_loader_name = put_string(mem, &at, MULTIBOOT_LOADER_NAME);
	info.cmdline = put_string(mem, &at, cmdline);

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
