/* SPDX-License-Identifier: MIT */
/* The snapshot file format: what the writer writes, the parser takes whole, and every damaged
 * or foreign file is refused with status 65 and one line (vmm/snapshot/). */
#include <errno.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "snapshot/snapshot_parser.h"
#include "snapshot/snapshot_writer.h"
#include "test_check_main.h"

#define RAM_SIZE (2u << 20)

static uint8_t *file_bytes;
static size_t file_size;

/* Writes a snapshot with two sections and 2 MiB of RAM (one page non-zero), reads it back. */
static void setup(void)
{
	struct snapshot_builder b;
	snapshot_builder_init(&b);
	struct vmm_error err = {0};
	ck_assert_int_eq(snapshot_builder_add(&b, "vcpu0.regs", "0123456789", 10, &err), 0);
	ck_assert_int_eq(snapshot_builder_add(&b, "dev.uart8250", "abc", 3, &err), 0);
	uint8_t *ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	memset(ram + 8192, 0x5a, 4096);
	struct snapshot_machine m = {
	    .cpu_vendor = "GenuineIntel", .vcpu_count = 1, .ram = ram, .ram_size = RAM_SIZE};
	m.features[0] = 0x80000001u;
	int fd = memfd_create("snapshot", 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(snapshot_write(fd, &b, &m, &err), 0);
	snapshot_builder_free(&b);
	file_size = (size_t)lseek(fd, 0, SEEK_END);
	file_bytes = malloc(file_size);
	ck_assert_int_eq(pread(fd, file_bytes, file_size, 0), (ssize_t)file_size);
	close(fd);
	free(ram);
}

static void teardown(void)
{
	free(file_bytes);
}

/* The refusal every bad file gets: -EINVAL, status 65, one line naming a cause. */
static void assert_refused(const void *buf, size_t len, uint64_t size, const char *words)
{
	struct snapshot_view view;
	struct vmm_error err = {0};
	ck_assert_int_eq(snapshot_parse(buf, len, size, &view, &err), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_GUEST_IMAGE);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	ck_assert_msg(strstr(err.msg, words), "'%s' does not say '%s'", err.msg, words);
}

START_TEST(test_round_trip)
{
	struct snapshot_view view;
	struct vmm_error err = {0};
	ck_assert_int_eq(snapshot_parse(file_bytes, file_size, file_size, &view, &err), 0);
	ck_assert_uint_eq(view.header.ram_offset % SNAPSHOT_PAGE_SIZE, 0);
	ck_assert_uint_eq(view.header.ram_size, RAM_SIZE);
	ck_assert_uint_eq(file_size, view.header.ram_offset + RAM_SIZE);
	ck_assert_mem_eq(view.header.cpu_vendor, "GenuineIntel", 12);
	ck_assert_uint_eq(view.header.features[0], 0x80000001u);
	size_t size;
	const void *regs = snapshot_section(&view, "vcpu0.regs", &size);
	ck_assert_uint_eq(size, 10);
	ck_assert_mem_eq(regs, "0123456789", 10);
	ck_assert_ptr_null(snapshot_section(&view, "vcpu1.regs", &size));
	char out[3];
	ck_assert_int_eq(snapshot_section_exact(&view, "dev.uart8250", out, 3, &err), 0);
	ck_assert_int_eq(snapshot_section_exact(&view, "dev.uart8250", out, 2, &err), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_GUEST_IMAGE);
	/* RAM: the one non-zero page where it was, the rest zero (holes). */
	const uint8_t *ram = file_bytes + view.header.ram_offset;
	ck_assert_uint_eq(ram[8192], 0x5a);
	ck_assert_uint_eq(ram[0], 0);
}
END_TEST

START_TEST(test_truncated)
{
	assert_refused(file_bytes, file_size, file_size - 4096, "truncated");
	assert_refused(file_bytes, 50, file_size, "truncated");
	struct snapshot_header h;
	memcpy(&h, file_bytes, sizeof h);
	assert_refused(file_bytes, (size_t)h.ram_offset - 1, file_size, "truncated");
}
END_TEST

START_TEST(test_wrong_version_and_magic)
{
	struct snapshot_header *h = (void *)file_bytes;
	h->version = 2;
	assert_refused(file_bytes, file_size, file_size, "version 2");
	h->version = SNAPSHOT_VERSION;
	h->magic[0] = 'X';
	assert_refused(file_bytes, file_size, file_size, "magic");
}
END_TEST

START_TEST(test_checksums)
{
	struct snapshot_header *h = (void *)file_bytes;
	h->ram_size += 4096; /* a size changed without the CRC */
	assert_refused(file_bytes, file_size, file_size + 4096, "header checksum");
	h->ram_size -= 4096;
	file_bytes[sizeof *h] ^= 1; /* the table */
	assert_refused(file_bytes, file_size, file_size, "table checksum");
	file_bytes[sizeof *h] ^= 1;
	const struct snapshot_section_entry *e = (const void *)(file_bytes + sizeof *h);
	file_bytes[e[1].offset] ^= 0x80; /* a section */
	assert_refused(file_bytes, file_size, file_size, "'dev.uart8250' checksum");
}
END_TEST

/* Sizes that do not fit, with the CRCs made right so only the size check can refuse them. */
static void reseal(struct snapshot_header *h)
{
	uint32_t count = h->section_count > 2 ? 2 : h->section_count; /* the buffer holds 2 */
	h->table_crc =
	    snapshot_crc32(file_bytes + sizeof *h, count * sizeof(struct snapshot_section_entry));
	h->header_crc = snapshot_crc32(h, offsetof(struct snapshot_header, header_crc));
}

START_TEST(test_sizes_that_do_not_fit)
{
	struct snapshot_header *h = (void *)file_bytes;
	struct snapshot_section_entry *e = (void *)(file_bytes + sizeof *h);
	uint64_t saved = e[1].size;
	e[1].size = UINT64_MAX - 8; /* offset + size overflows */
	reseal(h);
	assert_refused(file_bytes, file_size, file_size, "does not fit");
	e[1].size = h->ram_offset; /* runs into RAM */
	reseal(h);
	assert_refused(file_bytes, file_size, file_size, "does not fit");
	e[1].size = saved;
	e[1].offset = e[0].offset; /* overlaps the one before */
	reseal(h);
	assert_refused(file_bytes, file_size, file_size, "does not fit");
	e[1].offset = e[0].offset + 16;
	memset(e[1].name, 0, sizeof e[1].name);
	memcpy(e[1].name, "vcpu0.regs", 10); /* twice the same name */
	reseal(h);
	assert_refused(file_bytes, file_size, file_size, "twice");
	h->section_count = 100000;
	reseal(h);
	assert_refused(file_bytes, file_size, file_size, "sections");
	h->section_count = 2;
	h->vcpu_count = 9;
	reseal(h);
	assert_refused(file_bytes, file_size, file_size, "vCPUs");
	h->vcpu_count = 1;
	h->ram_offset += 1;
	reseal(h);
	assert_refused(file_bytes, file_size, file_size, "RAM offset");
}
END_TEST

static Suite *snapshot_format_suite(void)
{
	Suite *s = suite_create("snapshot_format");
	TCase *tc = tcase_create("format");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_wrong_version_and_magic);
	tcase_add_test(tc, test_checksums);
	tcase_add_test(tc, test_sizes_that_do_not_fit);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(snapshot_format_suite)
