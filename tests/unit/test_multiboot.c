/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 (Multiboot Specification 0.6.96): header search and flags (3.1.1, 3.1.2), the
 * a.out-kludge and ELF32 loaders (3.1.3), the boot information with its memory map, command line
 * and modules (3.3), the protocol choice, and the 32-bit entry state (3.2). Images are built in
 * memory byte by byte; guest RAM is a buffer pre-filled with 0xAA so zeroed bss is visible.
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
#include "platform/pc_layout.h"
#include "test_check_main.h"
#include "x86/long_mode.h"
#include "x86/protected_mode.h"

#define RAM_SIZE (8u << 20)
#define KBASE	 0x100000u

static uint8_t *ram;
static struct guest_mem mem;
static struct vmm_error err;
static const struct load_constraints limits = {.reserved_end = MINIVMM_RESERVED_END};
static uint8_t image[16384];

static void setup(void)
{
	ram = malloc(RAM_SIZE);
	memset(ram, 0xAA, RAM_SIZE);
	guest_mem_wrap(&mem, ram, RAM_SIZE);
	memset(image, 0x90, sizeof image);
	memset(&err, 0, sizeof err);
}

static void teardown(void)
{
	free(ram);
}

static void put_header(size_t offset, uint32_t flags, const uint32_t kludge[5])
{
	uint32_t words[8] = {MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags)};
	if (kludge)
		memcpy(&words[3], kludge, 5 * sizeof(uint32_t));
	memcpy(image + offset, words, kludge ? sizeof words : 12);
}

/* A kludge kernel: header at file offset 0x40 of `size` bytes loaded at KBASE, bss_len more. */
static size_t kludge_image(uint32_t bss_len)
{
	const uint32_t size = 0x3000;
	for (uint32_t i = 0; i < size; i++)
		image[i] = (uint8_t)(i * 7);
	uint32_t k[5] = {KBASE + 0x40, KBASE, KBASE + size, KBASE + size + bss_len, KBASE + 0x100};
	put_header(0x40, MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE, k);
	return size;
}

static size_t elf32_image(uint16_t machine, uint8_t elf_class);

static const struct multiboot_boot_params no_params;
static uint32_t info_at;

/* multiboot_load_image() with no command line and no modules. */
static int load(const struct load_constraints *with, size_t size, struct load_result *r)
{
	return multiboot_load_image(&mem, with, image, size, &no_params, r, &info_at, &err);
}

static void assert_refused(int rc, const char *needle)
{
	ck_assert_int_ne(rc, 0);
	ck_assert_msg(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
}

START_TEST(test_header_found_aligned_within_8k)
{
	struct multiboot_image_header h;
	put_header(8192 - 12, 0, NULL);
	ck_assert_int_eq(multiboot_find_header(image, sizeof image, &h, &err), 0);
	ck_assert_uint_eq(h.offset, 8192 - 12);
	memset(image, 0, sizeof image);
	put_header(8192, 0, NULL); /* past the first 8 KiB */
	assert_refused(multiboot_find_header(image, sizeof image, &h, &err), "no multiboot header");
	memset(image, 0, sizeof image);
	put_header(0x102, 0, NULL); /* not 4-byte aligned */
	ck_assert(!multiboot_detect(image, sizeof image));
}
END_TEST

START_TEST(test_bad_checksum_refused)
{
	put_header(0x20, MULTIBOOT_MEMORY_INFO, NULL);
	image[0x28] ^= 1;
	struct load_result r;
	assert_refused(load(&limits, sizeof image, &r), "wrong checksum");
}
END_TEST

START_TEST(test_unmet_requirements_refused)
{
	struct load_result r;
	put_header(0, MULTIBOOT_VIDEO_MODE | MULTIBOOT_AOUT_KLUDGE, NULL);
	assert_refused(load(&limits, sizeof image, &r), "video mode");
	put_header(0, 0x20, NULL);
	assert_refused(load(&limits, sizeof image, &r), "bits 3-15");
}
END_TEST

START_TEST(test_kludge_loads_file_bytes_and_zeroes_bss)
{
	size_t size = kludge_image(0x2000);
	struct load_result r;
	ck_assert_int_eq(load(&limits, size, &r), 0);
	ck_assert_uint_eq(r.entry, KBASE + 0x100);
	ck_assert_uint_eq(r.load_begin, KBASE);
	ck_assert_uint_eq(r.load_end, KBASE + size + 0x2000);
	ck_assert_mem_eq(ram + KBASE, image, size);
	for (size_t i = 0; i < 0x2000; i++)
		ck_assert_uint_eq(ram[KBASE + size + i], 0);
	ck_assert_uint_eq(info_at, PC_BOOT_INFO_GPA); /* in the reserved boot data area */
}
END_TEST

START_TEST(test_kludge_leaves_zero_ram_unwritten)
{
	/* Fresh RAM is zero: the bss is left alone, so the fill pattern shows it was not written.
	 */
	const struct load_constraints zero = {.reserved_end = MINIVMM_RESERVED_END,
					      .ram_is_zero = true};
	size_t size = kludge_image(0x2000);
	struct load_result r;
	ck_assert_int_eq(load(&zero, size, &r), 0);
	ck_assert_mem_eq(ram + KBASE, image, size);
	for (size_t i = 0; i < 0x2000; i++)
		ck_assert_uint_eq(ram[KBASE + size + i], 0xAA);
	memset(ram, 0xAA, RAM_SIZE);
	size = elf32_image(EM_386, ELFCLASS32);
	ck_assert_int_eq(load(&zero, size, &r), 0);
	ck_assert_mem_eq(ram + KBASE, image + 0x1000, 0x1000);
	ck_assert_uint_eq(ram[KBASE + 0x1000], 0xAA);
}
END_TEST

/* Rewrites one kludge field (index 0 = header_addr ... 4 = entry_addr) with a fresh checksum. */
static void set_kludge_field(int index, uint32_t value)
{
	memcpy(image + 0x40 + 12 + 4 * index, &value, 4);
}

START_TEST(test_kludge_bad_fields_refused)
{
	struct load_result r;
	size_t size = kludge_image(0);
	set_kludge_field(4, KBASE + 0x10000); /* entry outside the loaded bytes */
	assert_refused(load(&limits, size, &r), "entry_addr");
	size = kludge_image(0);
	set_kludge_field(2, KBASE + 0x8000); /* load_end past the file */
	assert_refused(load(&limits, size, &r), "load_end_addr");
	size = kludge_image(0);
	set_kludge_field(3, KBASE + 0x1000); /* bss_end below load_end */
	assert_refused(load(&limits, size, &r), "bss_end_addr");
	size = kludge_image(0);
	set_kludge_field(0, KBASE + 0x1000); /* header_addr: load start before the file */
	assert_refused(load(&limits, size, &r), "header_addr");
	size = kludge_image(0);
	set_kludge_field(3, 0x900000); /* a bss past the 8 MiB of RAM: says which -m */
	assert_refused(load(&limits, size, &r), "give -m");
}
END_TEST

/* The kernel linked at `at` (a kludge kernel of the file's 0x3000 bytes). */
static size_t kludge_at(uint32_t at)
{
	size_t size = kludge_image(0);
	set_kludge_field(0, at + 0x40);
	set_kludge_field(1, at);
	set_kludge_field(2, at + (uint32_t)size);
	set_kludge_field(3, 0);
	set_kludge_field(4, at + 0x100);
	return size;
}

START_TEST(test_kernel_in_conventional_memory_loads)
{
	/* Issue 14: a kernel linked at 0x8000 (or 0x1000) loads, as under GRUB; minivmm's own
	 * structures are not there, and the information points to the boot data area. */
	struct load_result r;
	size_t size = kludge_at(0x8000);
	ck_assert_msg(load(&limits, size, &r) == 0, "%s", err.msg);
	ck_assert_mem_eq(ram + 0x8000, image, size);
	ck_assert_uint_eq(r.entry, 0x8100);
	ck_assert_uint_eq(info_at, PC_BOOT_INFO_GPA);
	size = kludge_at(PC_LOW_RESERVED_END);
	ck_assert_msg(load(&limits, size, &r) == 0, "%s", err.msg);
}
END_TEST

START_TEST(test_kernel_in_reserved_memory_refused)
{
	/* What minivmm writes below 1 MiB (IVT/BDA page, EBDA, boot information, firmware tables):
	 * refused before a byte is written, naming the range and where to link instead. */
	const uint32_t at[] = {0x800, PC_EBDA_BASE - 0x1000, PC_BOOT_DATA_BASE - 0x1000,
			       PC_FIRMWARE_BASE};
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		struct load_result r;
		size_t size = kludge_at(at[i]);
		assert_refused(load(&limits, size, &r),
			       "which the PC reserves: link it in [0x1000");
		ck_assert_int_eq(err.status, VMM_EXIT_GUEST_IMAGE);
		ck_assert_uint_eq(ram[at[i] + 0x100], 0xAA); /* nothing written */
	}
}
END_TEST

/* An ELF32 higher-half kernel: one PT_LOAD, vaddr 0xc0100000, paddr 1 MiB, with a bss. */
static size_t elf32_image(uint16_t machine, uint8_t elf_class)
{
	memset(image, 0, sizeof image);
	Elf32_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = machine,
			 .e_version = EV_CURRENT,
			 .e_entry = 0xc0100010,
			 .e_phoff = sizeof eh,
			 .e_ehsize = sizeof eh,
			 .e_phentsize = sizeof(Elf32_Phdr),
			 .e_phnum = 1};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = elf_class;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	Elf32_Phdr ph = {.p_type = PT_LOAD,
			 .p_offset = 0x1000,
			 .p_vaddr = 0xc0100000,
			 .p_paddr = KBASE,
			 .p_filesz = 0x1000,
			 .p_memsz = 0x3000,
			 .p_flags = PF_R | PF_X,
			 .p_align = 0x1000};
	memcpy(image, &eh, sizeof eh);
	memcpy(image + sizeof eh, &ph, sizeof ph);
	memset(image + 0x1000, 0x5a, 0x1000);
	put_header(0x1000, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO, NULL);
	return 0x2000;
}

START_TEST(test_elf32_loads_by_paddr_and_translates_entry)
{
	size_t size = elf32_image(EM_386, ELFCLASS32);
	struct load_result r;
	ck_assert_int_eq(load(&limits, size, &r), 0);
	ck_assert_uint_eq(r.entry, KBASE + 0x10);
	ck_assert_uint_eq(r.load_end, KBASE + 0x3000);
	ck_assert_mem_eq(ram + KBASE, image + 0x1000, 0x1000);
	ck_assert_uint_eq(ram[KBASE + 0x1000], 0);
	ck_assert_uint_eq(ram[KBASE + 0x2fff], 0);
}
END_TEST

START_TEST(test_elf32_wrong_machine_and_not_elf_refused)
{
	struct load_result r;
	size_t size = elf32_image(EM_ARM, ELFCLASS32);
	assert_refused(load(&limits, size, &r), "EM_386");
	memset(image, 0, 64); /* header stays, the ELF header goes */
	assert_refused(load(&limits, size, &r), "ELF");
}
END_TEST

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

/* An ELF64 x86-64 header with entry 0x100000 and a kludge header whose entry is `kludge_entry`. */
static size_t elf64_with_header(uint32_t kludge_entry)
{
	memset(image, 0, sizeof image);
	Elf64_Ehdr eh = {.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_entry = 0x100000};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(image, &eh, sizeof eh);
	uint32_t k[5] = {KBASE + 0x1000, KBASE, 0, 0, kludge_entry};
	put_header(0x1000, MULTIBOOT_AOUT_KLUDGE, k);
	return 0x2000;
}

START_TEST(test_protocol_detection)
{
	ck_assert_int_eq(boot_protocol_detect(image, sizeof image), BOOT_DIRECT64); /* no header */
	size_t size = elf64_with_header(0x100040); /* both entries, like the toy guest */
	ck_assert_int_eq(boot_protocol_detect(image, size), BOOT_DIRECT64);
	size = elf64_with_header(0x100000); /* the ELF entry is the multiboot one */
	ck_assert_int_eq(boot_protocol_detect(image, size), BOOT_MULTIBOOT);
	size = elf32_image(EM_386, ELFCLASS32);
	ck_assert_int_eq(boot_protocol_detect(image, size), BOOT_MULTIBOOT);
	enum boot_protocol p;
	ck_assert_int_eq(boot_protocol_parse("multiboot", &p), 0);
	ck_assert_int_eq(p, BOOT_MULTIBOOT);
	ck_assert_int_ne(boot_protocol_parse("bios", &p), 0);
}
END_TEST

START_TEST(test_protected_mode_entry_state)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	memset(&s, 0xff, sizeof s);
	x86_protected_mode_sregs(&s);
	ck_assert_uint_eq(s.cr0 & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE);
	ck_assert_uint_eq(s.efer, 0);
	ck_assert_uint_eq(s.cr4, 0);
	ck_assert_uint_eq(s.cs.db, 1);
	ck_assert_uint_eq(s.cs.l, 0);
	ck_assert_uint_eq(s.cs.base, 0);
	ck_assert_uint_eq(s.cs.limit, 0xffffffff);
	ck_assert_uint_eq(s.ss.type, 3);
	x86_protected_mode_regs(&r, 0x100020, 0x212000);
	ck_assert_uint_eq(r.rax, MULTIBOOT_BOOTLOADER_MAGIC);
	ck_assert_uint_eq(r.rbx, 0x212000);
	ck_assert_uint_eq(r.rip, 0x100020);
	ck_assert_uint_eq(r.rflags & ((1u << 9) | (1u << 17)), 0);
	ck_assert_int_eq(x86_build_protected_mode_gdt(&mem, &err), 0);
	uint64_t code;
	memcpy(&code, ram + PC_BOOT_GDT_GPA + MINIVMM_PM_CS, 8);
	ck_assert_uint_eq(code, 0x00cf9a000000ffffull);
}
END_TEST

static Suite *multiboot_suite(void)
{
	Suite *s = suite_create("multiboot");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_header_found_aligned_within_8k);
	tcase_add_test(tc, test_bad_checksum_refused);
	tcase_add_test(tc, test_unmet_requirements_refused);
	tcase_add_test(tc, test_kludge_loads_file_bytes_and_zeroes_bss);
	tcase_add_test(tc, test_kludge_bad_fields_refused);
	tcase_add_test(tc, test_kludge_leaves_zero_ram_unwritten);
	tcase_add_test(tc, test_kernel_in_conventional_memory_loads);
	tcase_add_test(tc, test_kernel_in_reserved_memory_refused);
	tcase_add_test(tc, test_elf32_loads_by_paddr_and_translates_entry);
	tcase_add_test(tc, test_elf32_wrong_machine_and_not_elf_refused);
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
	tcase_add_test(tc, test_protocol_detection);
	tcase_add_test(tc, test_protected_mode_entry_state);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(multiboot_suite)
