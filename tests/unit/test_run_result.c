/* SPDX-License-Identifier: MIT */
/* How a run ended (cli/run_result.c): who ended it, in words, and the --result JSON, with any
 * byte a message can carry (file names) escaped so that the object always parses. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/run_result.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"

static struct vm vm;

static void setup(void)
{
	vm_init_without_kvm(&vm);
}

static void teardown(void)
{
	vm_destroy(&vm);
}

static const char *json_of(const struct run_outcome *o)
{
	static char buf[2048];
	size_t len = run_outcome_json(o, buf, sizeof buf);
	ck_assert_uint_eq(len, strlen(buf));
	ck_assert_int_eq(buf[len - 1], '\n');
	return buf;
}

START_TEST(test_guest_exit_above_63)
{
	/* What exit_port.c raises for a write of 88 to port 0x501. */
	stop_request_raise_guest_exit(&vm.stop, MINIVMM_EXIT_STATUS_MAX, MINIVMM_EXIT_PORT, 88);
	struct run_outcome o;
	run_outcome_from_vm(&o, &vm);
	ck_assert_int_eq(o.ended_by, RUN_ENDED_BY_GUEST);
	ck_assert_int_eq(o.status, 63);
	ck_assert_str_eq(json_of(&o),
			 "{\"ended_by\": \"guest\", \"reason\": \"the guest wrote 88 to minivmm's "
			 "exit port 0x501: above 63, which are minivmm's statuses, so status 63\", "
			 "\"status\": 63, \"guest_value\": 88, \"exit_port\": \"0x501\"}\n");
}
END_TEST

START_TEST(test_isa_debug_exit_is_the_guests)
{
	stop_request_raise_guest_exit(&vm.stop, 65, MINIVMM_ISA_DEBUG_EXIT_PORT, 32);
	struct run_outcome o;
	run_outcome_from_vm(&o, &vm);
	ck_assert_int_eq(o.ended_by, RUN_ENDED_BY_GUEST);
	ck_assert_ptr_nonnull(strstr(json_of(&o), "\"guest_value\": 32, \"exit_port\": \"0xf4\""));
	ck_assert_ptr_nonnull(strstr(o.reason, "(32 << 1) | 1 = 65"));
}
END_TEST

START_TEST(test_who_ended_the_run)
{
	static const struct {
		enum stop_reason reason;
		int status;
		enum run_ended_by who;
		const char *words;
	} cases[] = {
	    {STOP_USER_QUIT, VMM_EXIT_USER_QUIT, RUN_ENDED_BY_USER, "Ctrl-A x"},
	    {STOP_SIGNAL, VMM_EXIT_SIGNAL_BASE + 15, RUN_ENDED_BY_SIGNAL, "signal 15 (SIGTERM)"},
	    {STOP_TIMEOUT, VMM_EXIT_TIMEOUT, RUN_ENDED_BY_MINIVMM, "--timeout 2.5 s"},
	    {STOP_GUEST_RESET, VMM_EXIT_GUEST_RESET, RUN_ENDED_BY_MINIVMM,
	     "--reboot was not given"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		vm_destroy(&vm);
		vm_init_without_kvm(&vm);
		vm.cfg.timeout_seconds = 2.5;
		stop_request_raise(&vm.stop, cases[i].reason, cases[i].status);
		struct run_outcome o;
		run_outcome_from_vm(&o, &vm);
		ck_assert_int_eq(o.ended_by, cases[i].who);
		ck_assert_int_eq(o.status, cases[i].status);
		ck_assert_msg(strstr(o.reason, cases[i].words), "'%s' lacks '%s'", o.reason,
			      cases[i].words);
		ck_assert_ptr_nonnull(strstr(json_of(&o), "\"guest_value\": null"));
	}
}
END_TEST

START_TEST(test_refusal_escaped)
{
	/* A file name may hold quotes, backslashes, control bytes and invalid UTF-8; valid UTF-8
	 * (the em dash) passes through. */
	struct vmm_error err;
	vmm_error_set(&err, -ENOENT, VMM_EXIT_NO_GUEST_FILE,
		      "cannot open guest 'a\"b\\c\n\xff' \xe2\x80\x94 x");
	struct run_outcome o;
	run_outcome_from_error(&o, "img", &err);
	ck_assert_int_eq(o.ended_by, RUN_ENDED_BY_MINIVMM);
	ck_assert_str_eq(json_of(&o),
			 "{\"ended_by\": \"minivmm\", \"reason\": \"img: cannot open "
			 "guest 'a\\\"b\\\\c\\u000a\\ufffd' \xe2\x80\x94 x\", "
			 "\"status\": 66, \"guest_value\": null, \"exit_port\": null}\n");
}
END_TEST

START_TEST(test_long_reason_cut_short)
{
	struct run_outcome o = {.ended_by = RUN_ENDED_BY_MINIVMM, .status = 70};
	memset(o.reason, '"', sizeof o.reason - 1); /* every byte doubles when escaped */
	o.reason[sizeof o.reason - 1] = '\0';
	char small[256];
	size_t len = run_outcome_json(&o, small, sizeof small);
	ck_assert_uint_lt(len, sizeof small);
	ck_assert_ptr_nonnull(strstr(json_of(&o), "\", \"status\": 70,"));
}
END_TEST

START_TEST(test_result_file_written)
{
	char path[] = "/tmp/minivmm-result-XXXXXX";
	int tmp = mkstemp(path);
	ck_assert_int_ge(tmp, 0);
	close(tmp);
	int fd;
	struct vmm_error err;
	ck_assert_int_eq(run_result_open(path, &fd, &err), 0);
	struct run_outcome o = {.ended_by = RUN_ENDED_BY_MINIVMM, .status = 124, .reason = "x"};
	ck_assert_int_eq(run_result_write(fd, &o), 0);
	char buf[512] = {0};
	int in = open(path, O_RDONLY);
	ck_assert_int_gt(read(in, buf, sizeof buf - 1), 0);
	close(in);
	unlink(path);
	ck_assert_str_eq(buf, json_of(&o));
	ck_assert_int_lt(run_result_open("/nonexistent/dir/result.json", &fd, &err), 0);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
}
END_TEST

static Suite *run_result_suite(void)
{
	Suite *s = suite_create("run_result");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_guest_exit_above_63);
	tcase_add_test(tc, test_isa_debug_exit_is_the_guests);
	tcase_add_test(tc, test_who_ended_the_run);
	tcase_add_test(tc, test_refusal_escaped);
	tcase_add_test(tc, test_long_reason_cut_short);
	tcase_add_test(tc, test_result_file_written);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(run_result_suite)
