/* SPDX-License-Identifier: MIT */
/* The fd reaper (vmm/host/fd_reaper.c): every descriptor handed over is closed by the time
 * fd_reaper_destroy() returns, more than its threads and queue hold at once included, and
 * never before it was handed over. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "host/fd_reaper.h"
#include "test_check_main.h"

#define PIPES (FD_REAPER_THREADS + FD_REAPER_QUEUE + 40)

static bool write_end_closed(int read_fd)
{
	char byte;
	return read(read_fd, &byte, 1) == 0; /* end-of-file: no write end is left */
}

START_TEST(test_every_handed_fd_is_closed)
{
	static struct fd_reaper reaper;
	int ends[PIPES][2];
	for (unsigned i = 0; i < PIPES; i++)
		ck_assert_int_eq(pipe2(ends[i], O_CLOEXEC | O_NONBLOCK), 0);
	fd_reaper_init(&reaper);
	for (unsigned i = 0; i < PIPES; i++)
		fd_reaper_close(&reaper, ends[i][1]);
	fd_reaper_destroy(&reaper);
	ck_assert_uint_le(reaper.threads, FD_REAPER_THREADS);
	for (unsigned i = 0; i < PIPES; i++) {
		ck_assert(write_end_closed(ends[i][0]));
		close(ends[i][0]);
	}
}
END_TEST

START_TEST(test_kept_fd_stays_open)
{
	static struct fd_reaper reaper;
	int handed[2], kept[2];
	ck_assert_int_eq(pipe2(handed, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(kept, O_CLOEXEC | O_NONBLOCK), 0);
	fd_reaper_init(&reaper);
	fd_reaper_close(&reaper, handed[1]);
	fd_reaper_destroy(&reaper);
	ck_assert(write_end_closed(handed[0]));
	char byte;
	errno = 0;
	ck_assert_int_eq(read(kept[0], &byte, 1), -1); /* open, empty: EAGAIN, not end-of-file */
	ck_assert_int_eq(errno, EAGAIN);
	for (unsigned i = 0; i < 2; i++)
		close(kept[i]);
	close(handed[0]);
}
END_TEST

START_TEST(test_destroy_without_work)
{
	static struct fd_reaper reaper;
	fd_reaper_init(&reaper);
	fd_reaper_destroy(&reaper);
	ck_assert_uint_eq(reaper.threads, 0);
}
END_TEST

static Suite *fd_reaper_suite(void)
{
	Suite *s = suite_create("fd_reaper");
	TCase *tc = tcase_create("close");
	tcase_add_test(tc, test_every_handed_fd_is_closed);
	tcase_add_test(tc, test_kept_fd_stays_open);
	tcase_add_test(tc, test_destroy_without_work);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fd_reaper_suite)
