/* SPDX-License-Identifier: MIT */
/*
 * pc_check: a Multiboot v1 kernel that checks the PC platform the way a kernel written for
 * GRUB or QEMU's -kernel uses it, one line per check on COM1 (tests/kernels/README.md). The
 * command line is "ARGV0 expect_argv0=NAME cpus=N": argv[0] must be NAME, N processors must
 * be listed in the MADT and the MP table and come up.
 */
#include "acpi.h"
#include "console.h"
#include "mptable.h"
#include "multiboot.h"
#include "pci.h"
#include "sleep.h"
#include "smp.h"
#include "trampoline.h"
#include "timers.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002
#define KERNEL_LOAD_ADDRESS	   0x100000u

extern const uint8_t kernel_end[];

static struct boot_info boot;
static struct acpi_info acpi;
static struct mp_info mp;

static void check_boot(void)
{
	uint32_t want = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MEMORY_MAP | MB_INFO_LOADER_NAME;
	check(boot.magic == MULTIBOOT_BOOTLOADER_MAGIC && (boot.flags & want) == want &&
		  boot.loader_name[0],
	      "multiboot_info",
	      "EAX 0x%x, info flags 0x%x (want bits 0, 2, 6, 9: memory, command line, memory map, "
	      "boot loader name), boot loader '%s'",
	      boot.magic, boot.flags, boot.loader_name[0] ? boot.loader_name : "(not named)");
}

static unsigned check_args(void)
{
	char argv0[128], expected[128], cpus_text[8];
	boot_argv0(&boot, argv0, sizeof(argv0));
	bool named = boot_arg(&boot, "expect_argv0", expected, sizeof(expected));
	check(named && !strncmp(argv0, expected, sizeof(expected)), "argv0",
	      "argv[0] '%s', expected '%s' (command line \"%s\")", argv0,
	      named ? expected : "(none)", boot.cmdline);
	unsigned cpus = 0;
	if (boot_arg(&boot, "cpus", cpus_text, sizeof(cpus_text)))
		for (const char *p = cpus_text; *p >= '0' && *p <= '9'; p++)
			cpus = cpus * 10 + (unsigned)(*p - '0');
	if (!cpus)
		check_fail("args", "no cpus=N on the command line: expecting 1 processor");
	return cpus ? cpus : 1;
}

static void check_memory_map(void)
{
	uint32_t kernel_bytes = (uint32_t)(uintptr_t)kernel_end - KERNEL_LOAD_ADDRESS;
	bool has_map = boot.flags & MB_INFO_MEMORY_MAP;
	bool bios_hole_reserved = !boot_map_available_overlaps(&boot, 0xa0000, 0x60000);
	bool kernel_available = boot_map_covers(&boot, KERNEL_LOAD_ADDRESS, kernel_bytes, 1);
	bool low_available = boot_map_covers(&boot, 0x1000, 0x9f000 - 0x1000, 1);
	char ranges[512] = "";
	for (unsigned i = 0; i < boot.map_count; i++)
		text_append(ranges, sizeof(ranges), " %llx+%llx:%u",
			    (unsigned long long)boot.map[i].base,
			    (unsigned long long)boot.map[i].length, boot.map[i].type);
	check(
	    has_map && !boot.map_truncated && bios_hole_reserved && kernel_available &&
		low_available,
	    "memory_map",
	    "%u ranges (base+length:type):%s; mem_lower %u KiB, mem_upper %u KiB; 0xa0000-0xfffff "
	    "%s; kernel 0x%x+0x%x %s; 0x1000-0x9f000 %s",
	    boot.map_count, ranges, boot.mem_lower_kib, boot.mem_upper_kib,
	    bios_hole_reserved ? "not available" : "AVAILABLE", KERNEL_LOAD_ADDRESS, kernel_bytes,
	    kernel_available ? "available" : "NOT AVAILABLE",
	    low_available ? "available" : "NOT AVAILABLE");
}

void pc_check_main(uint32_t magic, uint32_t info_address);

void pc_check_main(uint32_t magic, uint32_t info_address)
{
	boot_info_read(magic, info_address, &boot);
	kprintf("pc_check: checking the PC platform\n");
	check_boot();
	unsigned cpus = check_args();
	check_memory_map();
	acpi_check(&acpi, cpus);
	mptable_check(&mp, cpus, acpi.apic_ids, acpi.cpu_count);
	pci_check();
	timers_check(&acpi);
	uint32_t trampoline = trampoline_install(&boot, &mp);
	smp_check(&acpi, trampoline, cpus);
	acpi_mode_check(&acpi);
	s3_check(&acpi, &boot, trampoline);
	pc_check_finish(&acpi);
}

void pc_check_finish(const struct acpi_info *platform)
{
	check_summary();
	s5_power_off(platform);
	for (;;)
		__asm__ volatile("cli; hlt");
}
