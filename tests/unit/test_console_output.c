/* SPDX-License-Identifier: MIT */
/* The guest-output ring (vmm/host/console_output.c): order kept, a closed or stuck reader costs
 * counted bytes, never a blocked producer or a hung stop. */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "host/console_output.h"
#include "test_check_main.h"

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

START_TEST(test_every_byte_in_order)
{
	int fd = memfd_create("out", 0);
	ck_assert_int_ge(fd, 0);
	struct console_output out;
	console_output_init(&out, fd);
	ck_assert_int_eq(console_output_start(&out), 0);
	const unsigned n = 3 * CONSOLE_OUTPUT_RING_BYTES + 17;
	for (unsigned i = 0; i < n; i++)
		console_output_put(&out, (uint8_t)(i * 7));
	console_output_stop(&out);
	ck_assert_uint_eq(out.written, n);
	ck_assert_uint_eq(out.dropped, 0);
	uint8_t *back = malloc(n);
	ck_assert_int_eq(pread(fd, back, n, 0), (ssize_t)n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(back[i], (uint8_t)(i * 7));
	free(back);
	close(fd);
}
END_TEST

START_TEST(test_closed_reader_drops_and_counts)
{
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	struct console_output out;
	console_output_init(&out, p[1]);
	ck_assert_int_eq(console_output_start(&out), 0);
	for (unsigned i = 0; i < 1000; i++)
		console_output_put(&out, 'x');
	console_output_stop(&out);
	ck_assert_uint_eq(out.written, 0);
	ck_assert_uint_eq(out.dropped, 1000);
	close(p[1]);
}
END_TEST

START_TEST(test_stuck_reader_never_blocks_for_long)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0); /* the read end stays open and is never read */
	struct console_output out;
	console_output_init(&out, p[1]);
	ck_assert_int_eq(console_output_start(&out), 0);
	const unsigned n = 4 * CONSOLE_OUTPUT_RING_BYTES + 65536 * 2;
	double start = now_seconds();
	for (unsigned i = 0; i < n; i++)
		console_output_put(&out, 'y');
	double produced = now_seconds();
	console_output_stop(&out);
	double stopped = now_seconds();
	/* Documented: one stall wait (CONSOLE_OUTPUT_STALL_MS), then drops without waiting; the
	 * stop gives up after CONSOLE_OUTPUT_FLUSH_MS without progress. A producer that waited per
	 * byte would take hours, a stop that waited for the reader forever: the bounds below are
	 * generous (10 s over the documented waits) so that a loaded machine or a sanitizer build,
	 * which slow the puts and the writer's polling, never fail them. */
	ck_assert_msg(produced - start < CONSOLE_OUTPUT_STALL_MS / 1000.0 + 10.0,
		      "producing took %.1f s", produced - start);
	ck_assert_msg(stopped - produced < CONSOLE_OUTPUT_FLUSH_MS / 1000.0 + 10.0,
		      "stopping took %.1f s", stopped - produced);
	ck_assert_uint_eq(out.written + out.dropped, n);
	ck_assert_uint_gt(out.dropped, 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_unstarted_writes_directly)
{
	int fd = memfd_create("out", 0);
	struct console_output out;
	console_output_init(&out, fd);
	console_output_put(&out, 'a');
	console_output_stop(&out); /* never started: nothing to do */
	ck_assert_uint_eq(out.written, 1);
	close(fd);
}
END_TEST

static Suite *console_output_suite(void)
{
	Suite *s = suite_create("console_output");
	TCase *tc = tcase_create("ring");
	tcase_set_timeout(tc, 60); /* above the stuck-reader bounds, for a hang only */
	tcase_add_test(tc, test_every_byte_in_order);
	tcase_add_test(tc, test_closed_reader_drops_and_counts);
	tcase_add_test(tc, test_stuck_reader_never_blocks_for_long);
	tcase_add_test(tc, test_unstarted_writes_directly);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(console_output_suite)
