/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the ELF loader: images it loads (segments copied, .bss zero-filled unless RAM
 * is zero already, PT_LOADs without memory ignored). Images are built at test time
 * (elf_image_fixture.h); the refusals are test_loader_elf_refusals.c's.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "elf_image_fixture.h"
#include "loader/loader.h"
#include "loader_fixture.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"

START_TEST(test_elf_loads_segments_and_zero_fills_bss)
{
	struct elf_spec spec = good_kernel();
	struct load_result out = {0};
	ck_assert_msg(load_elf(&spec, &out) == 0, "refused: %s", err.msg);
	ck_assert_uint_eq(out.entry, 0x100010);
	ck_assert_uint_eq(out.load_begin, 0x100000);
	ck_assert_uint_eq(out.load_end, 0x203000);
	ck_assert(all_bytes(ram + 0x100000, 0x1234, 0x11));
	ck_assert(all_bytes(ram + 0x200000, 0x100, 0x22));
	ck_assert(all_bytes(ram + 0x200100, 0x3000 - 0x100, 0)); /* .bss zeroed */
	ck_assert(all_bytes(ram, 0x100000, RAM_FILL));		 /* nothing else touched */
	ck_assert(all_bytes(ram + 0x101234, 0x200000 - 0x101234, RAM_FILL));
	ck_assert(all_bytes(ram + 0x203000, RAM_SIZE - 0x203000, RAM_FILL));
}
END_TEST

START_TEST(test_elf_leaves_zero_ram_unwritten)
{
	/* Issue 13: fresh guest RAM is zero already; memset of a bss only made the host commit it
	 * (a 3 GiB bss, 3 GiB resident). With ram_is_zero the bss is not written at all: the fill
	 * pattern stays where a memset would have put zeros. */
	const struct load_constraints zero = {.reserved_end = MINIVMM_RESERVED_END,
					      .ram_is_zero = true};
	struct elf_spec spec = good_kernel();
	size_t size;
	uint8_t *image = build_elf(&spec, &size);
	struct load_result out = {0};
	ck_assert_msg(elf_load_image(&mem, &zero, image, size, &out, &err) == 0, "%s", err.msg);
	free(image);
	ck_assert(all_bytes(ram + 0x100000, 0x1234, 0x11));
	ck_assert(all_bytes(ram + 0x200000, 0x100, 0x22));
	ck_assert(all_bytes(ram + 0x200100, 0x3000 - 0x100, RAM_FILL)); /* not written */
}
END_TEST

START_TEST(test_elf_ignores_pt_load_without_memory)
{
	/* p_memsz 0 occupies nothing, whatever its (here absurd) address. */
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x10, RX, 0x33),
				      LOAD(0xfffffffffffff000, 0, 0, RW, 0));
	struct load_result out = {0};
	ck_assert_msg(load_elf(&spec, &out) == 0, "refused: %s", err.msg);
	ck_assert_uint_eq(out.load_end, 0x100010);
	ck_assert(all_bytes(ram + 0x100000, 0x10, 0x33));
}
END_TEST

static Suite *loader_elf_suite(void)
{
	Suite *s = suite_create("loader-elf");
	TCase *elf = tcase_create("elf");
	tcase_add_checked_fixture(elf, setup, teardown);
	tcase_add_test(elf, test_elf_loads_segments_and_zero_fills_bss);
	tcase_add_test(elf, test_elf_ignores_pt_load_without_memory);
	tcase_add_test(elf, test_elf_leaves_zero_ram_unwritten);
	suite_add_tcase(s, elf);
	return s;
}

CHECK_MAIN(loader_elf_suite)
