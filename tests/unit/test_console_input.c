/* SPDX-License-Identifier: MIT */
/* The console's input side (vmm/host/console.c): a thread reads stdin for the guest when stdin
 * can deliver something, and none is started for /dev/null, which can only say end-of-file. */
#include <fcntl.h>
#include <unistd.h>

#include "host/console.h"
#include "test_check_main.h"

static unsigned take_nothing(void *ctx, const uint8_t *bytes, unsigned count)
{
	(void)ctx;
	(void)bytes;
	return count;
}

/* Starts a console reading in_fd (output to /dev/null) and says whether an input thread runs. */
static bool input_thread_for(int in_fd)
{
	int out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(out_fd, 0);
	struct console con;
	console_init(&con, in_fd, out_fd);
	console_set_receiver(&con, take_nothing, NULL);
	ck_assert_int_eq(console_start(&con, NULL, NULL), 0);
	bool running = con.thread_running;
	console_stop(&con);
	close(out_fd);
	return running;
}

START_TEST(test_no_input_thread_for_dev_null)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert(!input_thread_for(fd));
	close(fd);
}
END_TEST

START_TEST(test_input_thread_for_a_pipe)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert(input_thread_for(p[0])); /* the writer end stays open: input may come */
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(test_input_thread_for_another_character_device)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC); /* not /dev/null: bytes to read */
	ck_assert_int_ge(fd, 0);
	ck_assert(input_thread_for(fd));
	close(fd);
}
END_TEST

static Suite *console_input_suite(void)
{
	Suite *s = suite_create("console_input");
	TCase *tc = tcase_create("thread");
	tcase_add_test(tc, test_no_input_thread_for_dev_null);
	tcase_add_test(tc, test_input_thread_for_a_pipe);
	tcase_add_test(tc, test_input_thread_for_another_character_device);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(console_input_suite)
