/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 loading (Multiboot Specification 0.6.96): header search and flags (3.1.1, 3.1.2),
 * the a.out-kludge and ELF32 loaders (3.1.3), the protocol choice, and the 32-bit entry state
 * (3.2). The boot information is test_multiboot_info.c's.
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

static Suite *multiboot_load_suite(void)
{
	Suite *s = suite_create("multiboot_load");
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
	tcase_add_test(tc, test_protocol_detection);
	tcase_add_test(tc, test_protected_mode_entry_state);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(multiboot_load_suite)
