/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the ELF loader: the images it refuses (not ELF64 x86-64 ET_EXEC, segments
 * outside RAM or overlapping, bad entry point, truncated files), each with its message and RAM
 * left untouched. Images are built at test time (elf_image_fixture.h); the loads are
 * test_loader_elf.c's.
 */
#include <check.h>
#include <gelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf_image_fixture.h"
#include "machine/guest_mem.h"
#include "loader/loader.h"
#include "loader_fixture.h"
#include "test_check_main.h"

START_TEST(test_elf_refuses_empty_image)
{
	assert_refused(elf_load_image(&mem, &limits, "", 0, NULL, &err), "empty");
}
END_TEST

START_TEST(test_elf_refuses_non_elf)
{
	static const uint8_t pe[64] = {'M', 'Z', 0x90, 0x00};
	assert_refused(elf_load_image(&mem, &limits, pe, sizeof pe, NULL, &err),
		       "not an ELF file (starts with 0x4d 0x5a 0x90 0x00)");
}
END_TEST

START_TEST(test_elf_refuses_elfclass32)
{
	struct elf_spec spec = good_kernel();
	spec.elf_class = ELFCLASS32;
	assert_refused(load_elf(&spec, NULL), "32-bit ELF: minivmm boots ELF64 x86-64 kernels");
}
END_TEST

START_TEST(test_elf_refuses_aarch64)
{
	struct elf_spec spec = good_kernel();
	spec.machine = EM_AARCH64;
	assert_refused(load_elf(&spec, NULL), "EM_AARCH64, not EM_X86_64");
}
END_TEST

START_TEST(test_elf_refuses_et_dyn)
{
	struct elf_spec spec = good_kernel();
	spec.type = ET_DYN;
	assert_refused(load_elf(&spec, NULL), "ET_DYN");
	ck_assert_ptr_nonnull(strstr(err.msg, "-no-pie / -static"));
}
END_TEST

START_TEST(test_elf_refuses_big_endian)
{
	struct elf_spec spec = good_kernel();
	spec.data = ELFDATA2MSB;
	assert_refused(load_elf(&spec, NULL), "big-endian");
}
END_TEST

START_TEST(test_elf_refuses_filesz_larger_than_memsz)
{
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x2000, 0x1000, RX, 0x11));
	assert_refused(load_elf(&spec, NULL), "segment 0 has p_filesz 0x2000 larger than p_memsz");
}
END_TEST

START_TEST(test_elf_refuses_segment_beyond_ram)
{
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x10, RX, 0x11),
				      LOAD(0x800000, 0x10, 0x1000, RW, 0x22));
	assert_refused(load_elf(&spec, NULL),
		       "segment 1 [0x800000, 0x801000) lies outside the guest's 4 MiB of RAM: "
		       "give -m 9M or more");
}
END_TEST

START_TEST(test_elf_advice_holds_every_segment)
{
	/* Issue 13: the advice covered the first segment outside RAM only, so following it ran
	 * into the next one ("give -m 5M", then "give -m 10M"). It now holds them all, and a RAM
	 * of that size takes the kernel. */
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x400000, RX, 0x11),
				      LOAD(0x600000, 0x10, 0x380000, RW, 0x22));
	assert_refused(load_elf(&spec, NULL), "segment 0 [0x100000, 0x500000) lies outside the "
					      "guest's 4 MiB of RAM: give -m 10M or more");
	size_t size;
	uint8_t *image = build_elf(&spec, &size);
	struct guest_mem bigger;
	uint8_t *big_ram = calloc(1, 10u << 20);
	ck_assert_ptr_nonnull(big_ram);
	guest_mem_wrap(&bigger, big_ram, 10u << 20);
	ck_assert_msg(elf_load_image(&bigger, &limits, image, size, NULL, &err) == 0, "%s",
		      err.msg);
	struct guest_mem smaller = bigger;
	smaller.size -= 1u << 20;
	ck_assert_int_ne(elf_load_image(&smaller, &limits, image, size, NULL, &err), 0);
	free(big_ram);
	free(image);
}
END_TEST

START_TEST(test_elf_refuses_segments_beyond_the_maximum)
{
	/* No -m can hold a segment that ends past 3 GiB: say to link lower, not a -m. */
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x10, RX, 0x11),
				      LOAD(0xbfff0000, 0x10, 0x20000, RW, 0x22));
	assert_refused(load_elf(&spec, NULL), "beyond minivmm's 3072 MiB maximum: link the kernel "
					      "at a lower address");
	ck_assert_ptr_null(strstr(err.msg, "give -m"));
}
END_TEST

START_TEST(test_elf_refuses_segment_straddling_ram_end)
{
	struct elf_spec spec = ELF_OF(0x3ff000, LOAD(0x3ff000, 0x10, 0x2000, RX, 0x11));
	assert_refused(load_elf(&spec, NULL), "[0x3ff000, 0x401000) lies outside the guest's "
					      "4 MiB of RAM: give -m 5M or more");
}
END_TEST

START_TEST(test_elf_refuses_wrapping_segment)
{
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x10, RX, 0x11),
				      LOAD(0xfffffffffffff000, 0, 0x2000, RW, 0));
	assert_refused(load_elf(&spec, NULL), "segment 1 at 0xfffffffffffff000 with p_memsz 0x2000 "
					      "wraps around");
}
END_TEST

START_TEST(test_elf_refuses_file_data_offset_that_wraps)
{
	/* p_offset + p_filesz wraps to a small number: it must not pass as "inside the file". */
	struct segment_spec seg = LOAD(0x100000, 0x20, 0x20, RX, 0x11);
	seg.bad_offset = 0xfffffffffffffff0;
	struct elf_spec spec = {.segments = &seg, .count = 1, .entry = 0x100000};
	assert_refused(load_elf(&spec, NULL), "truncated");
}
END_TEST

START_TEST(test_elf_refuses_reserved_overlap)
{
	struct elf_spec spec = ELF_OF(0xf000, LOAD(0xf000, 0x2000, 0x2000, RX, 0x11));
	assert_refused(load_elf(&spec, NULL), "overlaps the VMM's reserved pages [0, 0x10000)");
}
END_TEST

START_TEST(test_elf_refuses_overlapping_segments)
{
	/* Segments 0 and 2 overlap; 1 lies between them in the table but not in memory. */
	struct elf_spec spec =
	    ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x2000, RX, 0x11),
		   LOAD(0x300000, 0x10, 0x10, RW, 0x22), LOAD(0x101000, 0x10, 0x10, RW, 0x33));
	assert_refused(load_elf(&spec, NULL),
		       "segments 0 [0x100000, 0x102000) and 2 [0x101000, 0x101010) overlap");
}
END_TEST

START_TEST(test_elf_refuses_no_pt_load)
{
	struct elf_spec spec = ELF_OF(0x100000, {PT_NOTE, 0x100000, 0x10, 0x10, PF_R, 0x11, 0, 0});
	assert_refused(load_elf(&spec, NULL), "no PT_LOAD segment");
}
END_TEST

START_TEST(test_elf_refuses_entry_outside_executable_segments)
{
	struct elf_spec spec = good_kernel();
	spec.entry = 0x200000; /* inside the data segment, which is not PF_X */
	assert_refused(load_elf(&spec, NULL), "entry point 0x200000 is not inside any executable");
}
END_TEST

START_TEST(test_elf_refuses_vaddr_other_than_paddr)
{
	struct segment_spec seg = LOAD(0x100000, 0x10, 0x10, RX, 0x11);
	seg.vaddr_offset = 0xffffffff80000000;
	struct elf_spec spec = {.segments = &seg, .count = 1, .entry = 0x100000};
	assert_refused(load_elf(&spec, NULL), "p_vaddr 0xffffffff80100000 but p_paddr 0x100000");
}
END_TEST

START_TEST(test_elf_refuses_truncated_segment_data)
{
	struct elf_spec spec = good_kernel();
	size_t size;
	free(build_elf(&spec, &size));
	/* Lose the last 0x80 of the second segment's 0x100 file bytes. */
	assert_refused(load_elf_cut(&spec, size - 0x80, NULL), "segment 1 needs file bytes");
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
}
END_TEST

START_TEST(test_elf_refuses_truncated_program_headers)
{
	struct elf_spec spec = good_kernel();
	/* The ELF header (64 bytes) and half of the first program header. */
	assert_refused(load_elf_cut(&spec, 64 + 28, NULL), "truncated");
}
END_TEST

START_TEST(test_elf_refuses_truncated_elf_header)
{
	struct elf_spec spec = good_kernel();
	assert_refused(load_elf_cut(&spec, 40, NULL),
		       "ends after 40 byte(s), inside the ELF header");
}
END_TEST

START_TEST(test_elf_refusal_leaves_ram_untouched)
{
	/* Segment 0 is valid and comes first: it must not be copied before 1 is refused. */
	struct elf_spec spec =
	    ELF_OF(0x100000, LOAD(0x100000, 0x1000, 0x1000, RX, 0x11),
		   LOAD(0x200000, 0x10, 0x3000, RW, 0x22), LOAD(0x3ff000, 0x10, 0x2000, RW, 0x33));
	int rc = load_elf(&spec, NULL);
	ck_assert_int_lt(rc, 0);
	ck_assert(all_bytes(ram, RAM_SIZE, RAM_FILL));
}
END_TEST

static Suite *loader_elf_refusals_suite(void)
{
	Suite *s = suite_create("loader-elf-refusals");
	TCase *elf = tcase_create("refusals");
	tcase_add_checked_fixture(elf, setup, teardown);
	tcase_add_test(elf, test_elf_refuses_empty_image);
	tcase_add_test(elf, test_elf_refuses_non_elf);
	tcase_add_test(elf, test_elf_refuses_elfclass32);
	tcase_add_test(elf, test_elf_refuses_aarch64);
	tcase_add_test(elf, test_elf_refuses_et_dyn);
	tcase_add_test(elf, test_elf_refuses_big_endian);
	tcase_add_test(elf, test_elf_refuses_filesz_larger_than_memsz);
	tcase_add_test(elf, test_elf_refuses_segment_beyond_ram);
	tcase_add_test(elf, test_elf_refuses_segment_straddling_ram_end);
	tcase_add_test(elf, test_elf_advice_holds_every_segment);
	tcase_add_test(elf, test_elf_refuses_segments_beyond_the_maximum);
	tcase_add_test(elf, test_elf_refuses_wrapping_segment);
	tcase_add_test(elf, test_elf_refuses_file_data_offset_that_wraps);
	tcase_add_test(elf, test_elf_refuses_reserved_overlap);
	tcase_add_test(elf, test_elf_refuses_overlapping_segments);
	tcase_add_test(elf, test_elf_refuses_no_pt_load);
	tcase_add_test(elf, test_elf_refuses_entry_outside_executable_segments);
	tcase_add_test(elf, test_elf_refuses_vaddr_other_than_paddr);
	tcase_add_test(elf, test_elf_refuses_truncated_segment_data);
	tcase_add_test(elf, test_elf_refuses_truncated_program_headers);
	tcase_add_test(elf, test_elf_refuses_truncated_elf_header);
	tcase_add_test(elf, test_elf_refusal_leaves_ram_untouched);
	suite_add_tcase(s, elf);
	return s;
}

CHECK_MAIN(loader_elf_refusals_suite)
