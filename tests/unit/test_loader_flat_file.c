/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the flat-image loader and for reading a guest file (load_file): where a flat
 * image may go, and what kinds of file are refused (loader_fixture.h: the RAM).
 */
#include <check.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/guest_mem.h"
#include "loader/loader.h"
#include "minivmm/boot_abi.h"
#include "loader_fixture.h"
#include "test_check_main.h"
#include "util/vmm_error.h"

START_TEST(test_flat_loads_at_address)
{
	static const uint8_t image[] = {0xf4, 0xeb, 0xfe, 0x90};
	struct load_result out = {0};
	ck_assert_int_eq(flat_load_image(&mem, &limits, image, sizeof image, 0x100000, &out, &err),
			 0);
	ck_assert_uint_eq(out.entry, 0x100000);
	ck_assert_uint_eq(out.load_begin, 0x100000);
	ck_assert_uint_eq(out.load_end, 0x100004);
	ck_assert_mem_eq(ram + 0x100000, image, sizeof image);
	ck_assert_uint_eq(ram[0x100004], RAM_FILL);
	ck_assert_uint_eq(ram[0xfffff], RAM_FILL);
}
END_TEST

START_TEST(test_flat_refuses_out_of_range)
{
	static const uint8_t image[0x2000];
	assert_refused(flat_load_image(&mem, &limits, image, sizeof image, 0x3ff000, NULL, &err),
		       "[0x3ff000, 0x401000) lies outside the guest's 4 MiB of RAM: give -m 5M");
	assert_refused(
	    flat_load_image(&mem, &limits, image, sizeof image, 0xfffffffffffff000, NULL, &err),
	    "beyond the 3072 MiB maximum");
}
END_TEST

START_TEST(test_flat_refuses_reserved_overlap)
{
	static const uint8_t image[0x100];
	assert_refused(flat_load_image(&mem, &limits, image, sizeof image, 0xff80, NULL, &err),
		       "overlaps the VMM's reserved pages [0, 0x10000)");
}
END_TEST

START_TEST(test_flat_refuses_empty_image)
{
	assert_refused(flat_load_image(&mem, &limits, "", 0, 0x100000, NULL, &err), "empty");
}
END_TEST

START_TEST(test_load_file_missing)
{
	void *data = (void *)1;
	size_t size = 1;
	int rc = load_file("/nonexistent/minivmm-kernel.elf", &data, &size, &err);
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_int_eq(err.status, VMM_EXIT_NO_GUEST_FILE);
	ck_assert_str_eq(err.msg, "cannot open guest '/nonexistent/minivmm-kernel.elf': No such "
				  "file or directory");
	ck_assert_ptr_null(data);
}
END_TEST

START_TEST(test_load_file_directory)
{
	void *data;
	size_t size;
	ck_assert_int_lt(load_file("/", &data, &size, &err), 0);
	ck_assert_int_eq(err.status, VMM_EXIT_NO_GUEST_FILE);
	ck_assert_str_eq(err.msg, "guest '/' is a directory: give the path of a kernel image file");
}
END_TEST

/* A memfd seen through /proc: a real regular file without touching the file system. */
static int memfd_with(const void *bytes, size_t len, off_t total, char *path, size_t path_len)
{
	int fd = memfd_create("test-guest", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
	if (total)
		ck_assert_int_eq(ftruncate(fd, total), 0);
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

START_TEST(test_load_file_reads_whole_file)
{
	char path[64];
	int fd = memfd_with("kernel bytes", 12, 0, path, sizeof path);
	void *data;
	size_t size;
	ck_assert_int_eq(load_file(path, &data, &size, &err), 0);
	ck_assert_uint_eq(size, 12);
	ck_assert_mem_eq(data, "kernel bytes", 12);
	free(data);
	close(fd);
}
END_TEST

START_TEST(test_load_file_refuses_over_1_gib)
{
	char path[64];
	int fd = memfd_with("x", 1, (off_t)(1ll << 30) + 1, path, sizeof path); /* sparse */
	void *data;
	size_t size;
	ck_assert_int_lt(load_file(path, &data, &size, &err), 0);
	ck_assert_int_eq(err.status, VMM_EXIT_GUEST_IMAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "over the 1 GiB limit"));
	ck_assert_ptr_null(data);
	close(fd);
}
END_TEST

static Suite *loader_flat_file_suite(void)
{
	Suite *s = suite_create("loader-flat-file");
	TCase *flat = tcase_create("flat");
	tcase_add_checked_fixture(flat, setup, teardown);
	tcase_add_test(flat, test_flat_loads_at_address);
	tcase_add_test(flat, test_flat_refuses_out_of_range);
	tcase_add_test(flat, test_flat_refuses_reserved_overlap);
	tcase_add_test(flat, test_flat_refuses_empty_image);
	suite_add_tcase(s, flat);

	TCase *file = tcase_create("load_file");
	tcase_add_checked_fixture(file, setup, teardown);
	tcase_add_test(file, test_load_file_missing);
	tcase_add_test(file, test_load_file_directory);
	tcase_add_test(file, test_load_file_reads_whole_file);
	tcase_add_test(file, test_load_file_refuses_over_1_gib);
	suite_add_tcase(s, file);
	return s;
}

CHECK_MAIN(loader_flat_file_suite)
