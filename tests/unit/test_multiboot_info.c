/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 boot information (Multiboot Specification 0.6.96, 3.3): memory, memory map,
 * command line, loader name and modules, where it goes, what is refused before anything is
 * written, and the "give -m N" advice. Loading is test_multiboot_load.c's.
 */
#include <check.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine/boot_protocol.h"
#include "loader/multiboot.h"
#include "minivmm/boot_abi.h"
#include "multiboot_fixture.h"
#include "platform/pc_layout.h"
#include "test_check_main.h"
#include "x86/long_mode.h"
#include "x86/protected_mode.h"

static void write_info(const struct multiboot_boot_params *p, uint32_t *info_gpa)
{
	struct multiboot_layout layout;
	multiboot_info_layout(KBASE + 0x1234, p, &layout);
	ck_assert_int_eq(multiboot_write_info(&mem, &layout, p, info_gpa, &err), 0);
	ck_assert_uint_eq(*info_gpa, PC_BOOT_INFO_GPA); /* the reserved boot data area */
}

static const char *guest_string(uint32_t gpa)
{
	return (const char *)guest_mem_gpa_to_hva(&mem, gpa, 1);
}

START_TEST(test_info_memory_cmdline_and_loader_name)
{
	struct multiboot_boot_params p = {0};
	uint32_t at;
	write_info(&p, &at);
	struct multiboot_info info;
	memcpy(&info, ram + at, sizeof info);
	uint32_t want = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
			MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_LOADER_NAME;
	ck_assert_uint_eq(info.flags, want);
	ck_assert_uint_eq(info.mem_lower, 639); /* up to the EBDA, as the map says */
	ck_assert_uint_eq(info.mem_upper, (RAM_SIZE - (1u << 20)) / 1024);
	ck_assert_str_eq(guest_string(info.cmdline), ""); /* always present */
	ck_assert_str_eq(guest_string(info.boot_loader_name), "minivmm");
	ck_assert_uint_eq(info.mods_count, 0);

	/* "FILE ARGS" as GRUB and QEMU's -kernel/-append pass it; "FILE" without arguments. */
	p.kernel_name = "build/k.elf";
	write_info(&p, &at);
	memcpy(&info, ram + at, sizeof info);
	ck_assert_str_eq(guest_string(info.cmdline), "build/k.elf");
	p.cmdline = "console=ttyS0 x=1";
	write_info(&p, &at);
	memcpy(&info, ram + at, sizeof info);
	ck_assert_str_eq(guest_string(info.cmdline), "build/k.elf console=ttyS0 x=1");
	ck_assert_str_eq(guest_string(info.boot_loader_name), "minivmm"); /* not overwritten */
}
END_TEST

START_TEST(test_info_memory_map)
{
	struct multiboot_boot_params p = {0};
	uint32_t at;
	write_info(&p, &at);
	struct multiboot_info info;
	memcpy(&info, ram + at, sizeof info);
	ck_assert_uint_eq(info.mmap_length, 5 * sizeof(struct multiboot_mmap_entry));
	struct multiboot_mmap_entry e[5];
	memcpy(e, ram + info.mmap_addr, sizeof e);
	const uint64_t base[5] = {0, 0x1000, PC_EBDA_BASE, 0x100000, MINIVMM_MMIO_BASE};
	const uint64_t end[5] = {0x1000, PC_EBDA_BASE, 0x100000, RAM_SIZE, 1ull << 32};
	const uint32_t type[5] = {2, 1, 2, 1, 2};
	for (int i = 0; i < 5; i++) {
		ck_assert_uint_eq(e[i].size, 20);
		ck_assert_uint_eq(e[i].base_addr, base[i]);
		ck_assert_uint_eq(e[i].base_addr + e[i].length, end[i]);
		ck_assert_uint_eq(e[i].type, type[i]);
	}
}
END_TEST

/* A module: a memory file holding size bytes of data. */
static struct multiboot_module_spec module_of(const void *data, size_t size, const char *string)
{
	int fd = memfd_create("module", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
	return (struct multiboot_module_spec){fd, size, string, string};
}

START_TEST(test_info_modules_page_aligned_with_strings)
{
	static const char one[] = "first module", two[] = "2";
	const char *const data[2] = {one, two};
	struct multiboot_module_spec mods[2] = {module_of(one, sizeof one, "initrd arg=1"),
						module_of(two, 1, "b.bin")};
	struct multiboot_boot_params p = {.cmdline = "k", .modules = mods, .module_count = 2};
	uint32_t at;
	write_info(&p, &at);
	struct multiboot_info info;
	memcpy(&info, ram + at, sizeof info);
	ck_assert_uint_eq(info.mods_count, 2);
	struct multiboot_module m[2];
	memcpy(m, ram + info.mods_addr, sizeof m);
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(m[i].mod_start % 4096, 0);
		ck_assert_uint_eq(m[i].mod_end - m[i].mod_start, mods[i].size);
		ck_assert_mem_eq(ram + m[i].mod_start, data[i], mods[i].size);
		ck_assert_str_eq(guest_string(m[i].string), mods[i].string);
		ck_assert_uint_gt(m[i].mod_start, KBASE + 0x1234); /* above the kernel */
	}
	ck_assert_uint_eq(m[1].mod_start, m[0].mod_start + 4096);
	close(mods[0].fd);
	close(mods[1].fd);
}
END_TEST

START_TEST(test_module_changed_since_opened_refused)
{
	/* The layout was made for the size fstat gave: a module that has grown or shrunk since
	 * (edited between two boots of --reboot) is refused, not read in part. */
	static const char bytes[8192];
	struct multiboot_module_spec mod = module_of(bytes, 100, "m");
	struct multiboot_boot_params p = {.modules = &mod, .module_count = 1};
	struct load_result r;
	size_t size = kludge_image(0);
	ck_assert_int_eq(multiboot_load_image(&mem, &limits, image, size, &p, &r, &info_at, &err),
			 0);
	ck_assert_int_eq(ftruncate(mod.fd, 50), 0);
	ck_assert_int_ne(multiboot_load_image(&mem, &limits, image, size, &p, &r, &info_at, &err),
			 0);
	ck_assert_int_eq(err.status, VMM_EXIT_NO_GUEST_FILE);
	ck_assert_msg(strstr(err.msg, "--module file 'm' is now 50 bytes, not the 100"), "%s",
		      err.msg);
	close(mod.fd);
}
END_TEST

/* True if RAM still holds only the fill pattern (no ck_assert per byte: 8 MiB of them is slow). */
static bool ram_untouched(void)
{
	for (size_t i = 0; i < RAM_SIZE; i++)
		if (ram[i] != 0xAA)
			return false;
	return true;
}

/* A kludge kernel whose bss ends at bss_end (and whose file is 0x3000 bytes at KBASE). */
static size_t kludge_to(uint32_t bss_end)
{
	size_t size = kludge_image(0);
	set_kludge_field(3, bss_end);
	return size;
}

/* The -m in a refusal's "give -m NM or more", in bytes; 0 if there is none. */
static uint64_t advised_ram(void)
{
	const char *at = strstr(err.msg, "give -m ");
	return at ? strtoull(at + 8, NULL, 10) << 20 : 0;
}

/* RAM of another size for the next load: a fresh buffer filled with 0xAA. */
static void resize_ram(uint64_t size)
{
	free(ram);
	ram = malloc(size);
	ck_assert_ptr_nonnull(ram);
	memset(ram, 0xAA, size);
	guest_mem_wrap(&mem, ram, size);
}

START_TEST(test_info_not_fitting_refused_before_any_write)
{
	/* Issue 13: the kernel fitted, so it was copied and its bss zeroed; only then was what goes
	 * above it found not to fit. Now nothing is written: RAM keeps its fill. */
	static const char byte[1];
	struct multiboot_module_spec mod = module_of(byte, 1, "m");
	struct multiboot_boot_params p = {.modules = &mod, .module_count = 1};
	struct load_result r;
	size_t size = kludge_to(RAM_SIZE);
	ck_assert_int_ne(multiboot_load_image(&mem, &limits, image, size, &p, &r, &info_at, &err),
			 0);
	ck_assert_msg(strstr(err.msg, "give -m 9M or more"), "%s", err.msg);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE); /* the kernel fits: -m is too small */
	ck_assert_msg(ram_untouched(), "a refused kernel wrote to RAM");
	close(mod.fd);
}
END_TEST

START_TEST(test_info_too_big_for_boot_data_refused)
{
	/* The boot data area does not grow with -m: a command line that does not fit is the
	 * user's to shorten (status 64), refused before anything is written. */
	static char huge[PC_BOOT_DATA_END - PC_BOOT_DATA_BASE];
	memset(huge, 'a', sizeof huge - 1);
	struct multiboot_boot_params p = {.kernel_name = "k", .cmdline = huge};
	struct load_result r;
	size_t size = kludge_image(0);
	ck_assert_int_ne(multiboot_load_image(&mem, &limits, image, size, &p, &r, &info_at, &err),
			 0);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_msg(strstr(err.msg, "boot data area") && strstr(err.msg, "shorten --cmdline"),
		      "%s", err.msg);
	ck_assert_msg(ram_untouched(), "a refused kernel wrote to RAM");
	huge[PC_BOOT_INFO_END - PC_BOOT_INFO_GPA - 512] = '\0'; /* fits with the rest */
	ck_assert_msg(multiboot_load_image(&mem, &limits, image, size, &p, &r, &info_at, &err) == 0,
		      "%s", err.msg);
}
END_TEST

/* Issue 13: "give -m N" must be what the next run accepts, and the least (the old formula
 * added 1 MiB: a kernel told 3073M boots with 3G). Each advice is followed with a RAM of that
 * size, and one MiB less is refused. */
START_TEST(test_advice_is_accepted_and_least)
{
	static const uint32_t ends[] = {RAM_SIZE + 1, RAM_SIZE + 0x1000, 0xa00000,
					0x7ff000 + 0x400000};
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		struct load_result r;
		size_t size = kludge_to(ends[i]);
		assert_refused(load(&limits, size, &r), "give -m ");
		uint64_t advised = advised_ram();
		ck_assert_uint_gt(advised, RAM_SIZE);
		resize_ram(advised);
		ck_assert_msg(load(&limits, size, &r) == 0, "-m %lluM refused: %s",
			      (unsigned long long)(advised >> 20), err.msg);
		resize_ram(advised - (1u << 20));
		ck_assert_int_ne(load(&limits, size, &r), 0);
		resize_ram(RAM_SIZE);
	}
}
END_TEST

START_TEST(test_beyond_the_maximum_no_ram_advice)
{
	/* No -m can help: the kernel's bss reaches past the 3 GiB maximum, or an ELF32 segment
	 * lies at 0xfff00000 (4098M was advised). Say what to change instead. */
	struct load_result r;
	size_t size = kludge_to(0xc0001000);
	assert_refused(load(&limits, size, &r), "no -m can hold it: link the kernel lower");
	ck_assert_ptr_null(strstr(err.msg, "give -m"));
	size = elf32_image(EM_386, ELFCLASS32);
	Elf32_Phdr ph;
	memcpy(&ph, image + sizeof(Elf32_Ehdr), sizeof ph);
	ph.p_paddr = 0xfff00000;
	memcpy(image + sizeof(Elf32_Ehdr), &ph, sizeof ph);
	assert_refused(load(&limits, size, &r), "no -m can hold it: link the kernel lower");
	ck_assert_ptr_null(strstr(err.msg, "give -m"));
}
END_TEST

START_TEST(test_modules_beyond_the_maximum)
{
	/* 16 modules of 1 GiB were told "give -m 16387M". Refused before a byte is read. */
	struct multiboot_module_spec mods[MULTIBOOT_MAX_MODULES];
	for (size_t i = 0; i < MULTIBOOT_MAX_MODULES; i++)
		mods[i] = (struct multiboot_module_spec){-1, 1u << 30, "m", "m"}; /* never read */
	struct multiboot_boot_params p = {.modules = mods, .module_count = MULTIBOOT_MAX_MODULES};
	struct load_result r;
	size_t size = kludge_image(0);
	ck_assert_int_ne(multiboot_load_image(&mem, &limits, image, size, &p, &r, &info_at, &err),
			 0);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_msg(strstr(err.msg, "16 module(s) of 16384 MiB in all") &&
			  strstr(err.msg, "give smaller or fewer modules") &&
			  !strstr(err.msg, "give -m"),
		      "%s", err.msg);
	ck_assert_msg(ram_untouched(), "a refused kernel wrote to RAM");
}
END_TEST

START_TEST(test_info_too_big_for_ram_refused)
{
	static uint8_t big[64 << 10];
	memset(big, 0x5a, sizeof big);
	struct multiboot_module_spec mod = module_of(big, sizeof big, "big");
	struct multiboot_boot_params p = {.modules = &mod, .module_count = 1};
	struct load_result r;
	size_t size = kludge_to(RAM_SIZE - 0x4000);
	ck_assert_int_ne(multiboot_load_image(&mem, &limits, image, size, &p, &r, &info_at, &err),
			 0);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_msg(strstr(err.msg, "give -m 9M or more"), "%s", err.msg);
	resize_ram(9u << 20);
	ck_assert_int_eq(multiboot_load_image(&mem, &limits, image, size, &p, &r, &info_at, &err),
			 0);
	ck_assert_mem_eq(ram + (RAM_SIZE - 0x4000), big, sizeof big); /* right above the kernel */
	close(mod.fd);
}
END_TEST

static Suite *multiboot_info_suite(void)
{
	Suite *s = suite_create("multiboot_info");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_info_memory_cmdline_and_loader_name);
	tcase_add_test(tc, test_info_memory_map);
	tcase_add_test(tc, test_info_modules_page_aligned_with_strings);
	tcase_add_test(tc, test_module_changed_since_opened_refused);
	tcase_add_test(tc, test_info_too_big_for_ram_refused);
	tcase_add_test(tc, test_info_not_fitting_refused_before_any_write);
	tcase_add_test(tc, test_info_too_big_for_boot_data_refused);
	tcase_add_test(tc, test_advice_is_accepted_and_least);
	tcase_add_test(tc, test_beyond_the_maximum_no_ram_advice);
	tcase_add_test(tc, test_modules_beyond_the_maximum);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(multiboot_info_suite)
