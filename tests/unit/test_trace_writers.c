/* SPDX-License-Identifier: MIT */
/*
 * The exit-record writer of Chrome Trace Event JSON: parseable, two complete events per record,
 * exact ts/dur, escaping, a million records streamed, write errors reported. The SVG timeline is
 * test_trace_writers_svg.c's.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_check_main.h"
#include "text_checkers.h"
#include "trace/trace_json.h"
#include "trace_writers_fixture.h"

START_TEST(test_json_validator_rejects_broken_json)
{
	ck_assert(json_valid("{\"a\":[1,2.5,-3e2,\"x\\u00e9\",true,null]}"));
	ck_assert(!json_valid("{\"a\":[1,2,]}"));
	ck_assert(!json_valid("{\"a\":\"ctrl\x01\"}"));
	ck_assert(!json_valid("{\"a\":\"bad \\x\"}"));
	ck_assert(!json_valid("{\"a\":1} x"));
	ck_assert(!json_valid("{\"a\":01}"));
}
END_TEST

/* The t_run of the next record of the same vCPU, or t_done: what the run loop passes. */
static uint64_t next_t_run(const struct exit_record *r, size_t count, size_t i)
{
	for (size_t j = i + 1; j < count; j++)
		if (r[j].vcpu == r[i].vcpu)
			return r[j].t_run;
	return r[i].t_done;
}

static char *write_json(const struct exit_record *r, size_t count)
{
	char path[128];
	tmp_path(path, sizeof path, "trace.json");
	struct trace_json *tj;
	struct vmm_error err = {0};
	ck_assert_int_eq(trace_json_open(&tj, path, &err), 0);
	for (size_t i = 0; i < count; i++)
		trace_json_add(tj, &r[i], next_t_run(r, count, i));
	ck_assert_int_eq(trace_json_close(tj, &err), 0);
	char *text = slurp(path);
	remove_tmp(path);
	return text;
}

/* ---- JSON ---- */

START_TEST(test_json_parses_with_two_events_per_record_and_track_names)
{
	make_tmpdir();
	struct exit_record r[SAMPLE_COUNT];
	sample_records(r);
	char *json = write_json(r, SAMPLE_COUNT);
	ck_assert_msg(json_valid(json), "not valid JSON:\n%s", json);
	ck_assert_int_eq(count_of(json, "\"ph\":\"X\""), 2 * SAMPLE_COUNT);
	ck_assert_int_eq(count_of(json, "\"name\":\"guest\""), SAMPLE_COUNT);
	/* process name + per vCPU (2) per track (2) a name and a sort index */
	ck_assert_int_eq(count_of(json, "\"ph\":\"M\""), 1 + 2 * 2 * 2);
	ck_assert_ptr_nonnull(strstr(json, "\"args\":{\"name\":\"minivmm VM\"}"));
	ck_assert_ptr_nonnull(
	    strstr(json, "\"tid\":3,\"args\":{\"name\":\"vCPU 1 guest (non-root)\"}"));
	ck_assert_ptr_nonnull(
	    strstr(json, "\"tid\":4,\"args\":{\"name\":\"vCPU 1 host (root: KVM + VMM)\"}"));
	ck_assert_ptr_nonnull(strstr(json, "\"displayTimeUnit\":\"ns\""));
	ck_assert_ptr_nonnull(strstr(json, "\"records\":5,\"vcpus\":2"));
	ck_assert_ptr_nonnull(strstr(json, "\"name\":\"MMIO write 0xd0000000\""));
	ck_assert_ptr_nonnull(strstr(json, "\"name\":\"HLT\""));
	free(json);
}
END_TEST

START_TEST(test_json_times_and_args_of_a_known_record)
{
	make_tmpdir();
	struct exit_record r[SAMPLE_COUNT];
	sample_records(r);
	char *json = write_json(r, SAMPLE_COUNT);
	/* Guest: t_run 1000 ns, t_exit 1001234 ns -> ts 1.000 us, dur 1000.234 us. */
	ck_assert_ptr_nonnull(strstr(json, "{\"ph\":\"X\",\"name\":\"guest\",\"cat\":\"guest\","
					   "\"pid\":1,\"tid\":1,\"ts\":1.000,\"dur\":1000.234,"
					   "\"args\":{\"in_kernel_exits\":2}}"));
	/* Host: t_exit 1001234 to vCPU 0's next t_run 1003500 -> dur 2.266 us; handling 1766 ns. */
	ck_assert_ptr_nonnull(strstr(
	    json, "{\"ph\":\"X\",\"name\":\"IO out 0x3f8\",\"cat\":\"exit\",\"pid\":1,\"tid\":2,"
		  "\"ts\":1001.234,\"dur\":2.266,\"args\":{\"seq\":0,\"reason\":\"IO\","
		  "\"port\":\"0x3f8\",\"size\":1,\"data\":\"0x48\",\"char\":\"H\","
		  "\"device\":\"uart8250\",\"count\":1,\"handling_ns\":1766,"
		  "\"in_kernel_exits\":2}}"));
	/* Unclaimed MMIO read: no char, device "unclaimed", data masked to the access size. */
	ck_assert_ptr_nonnull(strstr(json,
				     "\"gpa\":\"0xfee00000\",\"size\":4,\"data\":\"0xffffffff\","
				     "\"device\":\"unclaimed\",\"count\":1"));
	/* HLT: its last record, so the host event ends at t_done; in-kernel count unknown. */
	ck_assert_ptr_nonnull(strstr(json, "\"ts\":91010.000,\"dur\":0.400,\"args\":{\"seq\":3,"
					   "\"reason\":\"HLT\",\"handling_ns\":400}}"));
	ck_assert_ptr_nonnull(strstr(json, "\"ts\":1010.000,\"dur\":90000.000,\"args\":{}}"));
	free(json);
}
END_TEST

START_TEST(test_json_sampled_in_kernel_count_names_its_span)
{
	make_tmpdir();
	struct exit_record r[2] = {io_write(0, 0, 1000, 0x3f8, 'a', "uart8250"),
				   io_write(0, 1, 5000, 0x3f8, 'b', "uart8250")};
	r[0].flags |= EXIT_RECORD_IN_KERNEL_LATER; /* counted in r[1]'s span */
	r[1].in_kernel_exits = 5, r[1].in_kernel_span = 2;
	char *json = write_json(r, 2);
	ck_assert_msg(json_valid(json), "not valid JSON:\n%s", json);
	ck_assert_int_eq(count_of(json, "\"in_kernel_exits\""), 2); /* r[1]: guest and host */
	ck_assert_ptr_nonnull(
	    strstr(json, "\"args\":{\"in_kernel_exits\":5,\"in_kernel_span\":2}}"));
	ck_assert_ptr_nonnull(
	    strstr(json, "\"handling_ns\":500,\"in_kernel_exits\":5,\"in_kernel_span\":2}}"));
	free(json);
}
END_TEST

START_TEST(test_json_escapes_strings)
{
	make_tmpdir();
	struct exit_record r[3] = {
	    io_write(0, 0, 100, 0x3f8, '"', "uart8250"),
	    io_write(0, 1, 200, 0x3f8, '\\', "uart8250"),
	    io_write(0, 2, 300, 0x10, 0x7, "we\"ird\\dev\x01\x1f"),
	};
	char *json = write_json(r, 3);
	ck_assert_msg(json_valid(json), "not valid JSON:\n%s", json);
	ck_assert_ptr_nonnull(strstr(json, "\"char\":\"\\\"\""));
	ck_assert_ptr_nonnull(strstr(json, "\"char\":\"\\\\\""));
	ck_assert_ptr_nonnull(strstr(json, "\"device\":\"we\\\"ird\\\\dev\\u0001\\u001f\""));
	ck_assert_int_eq(count_of(json, "\"char\""), 2); /* 0x07 is not printable */
	free(json);
}
END_TEST

START_TEST(test_json_streams_a_million_records)
{
	enum { RECORDS = 1000000 };
	make_tmpdir_in("/dev/shm", (uint64_t)RECORDS * 600); /* the most the size check allows */
	char path[128];
	tmp_path(path, sizeof path, "big.json");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct trace_json *tj;
	struct vmm_error err = {0};
	ck_assert_int_eq(trace_json_open(&tj, path, &err), 0);
	for (uint64_t i = 0; i < RECORDS; i++) {
		struct exit_record rec =
		    io_write(0, i, i * 10000, 0x3f8, (uint8_t)('a' + i % 26), "uart8250");
		if (i % 4 == 3)
			rec.kvm_reason = KVM_EXIT_HLT;
		trace_json_add(tj, &rec, (i + 1) * 10000);
	}
	ck_assert_int_eq(trace_json_close(tj, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	/* Two events of 100-300 bytes each: anything outside means lost or runaway output. */
	ck_assert_int_gt(st.st_size, (off_t)RECORDS * 200);
	ck_assert_int_lt(st.st_size, (off_t)RECORDS * 600);
	FILE *f = fopen(path, "r");
	char tail[4] = {0};
	fseek(f, -3, SEEK_END);
	ck_assert_uint_eq(fread(tail, 1, 3, f), 3);
	fclose(f);
	ck_assert_str_eq(tail, "}}\n");
	fprintf(stderr, "1,000,000 records: %lld bytes in %.2f s\n", (long long)st.st_size,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	remove_tmp(path);
}
END_TEST

START_TEST(test_json_unwritable_path_is_reported)
{
	struct trace_json *tj = (struct trace_json *)&tj;
	struct vmm_error err = {0};
	ck_assert_int_eq(trace_json_open(&tj, "/nonexistent-dir/t.json", &err), -ENOENT);
	ck_assert_ptr_null(tj);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_str_eq(
	    err.msg,
	    "cannot write trace file '/nonexistent-dir/t.json': No such file or directory");
}
END_TEST

START_TEST(test_json_disk_full_is_reported_at_close)
{
	if (access("/dev/full", W_OK) != 0) {
		fprintf(stderr, "SKIP test_json_disk_full_is_reported_at_close: no /dev/full\n");
		return;
	}
	struct trace_json *tj;
	struct vmm_error err = {0};
	ck_assert_int_eq(trace_json_open(&tj, "/dev/full", &err), 0);
	struct exit_record rec = io_write(0, 0, 0, 0x3f8, 'H', "uart8250");
	for (int i = 0; i < 10000; i++) /* more than the stdio buffer: some writes fail early */
		trace_json_add(tj, &rec, rec.t_done);
	ck_assert_int_eq(trace_json_close(tj, &err), -ENOSPC);
	ck_assert_int_eq(err.status, VMM_EXIT_HOST_RESOURCES);
	ck_assert_str_eq(err.msg, "cannot write trace file '/dev/full': No space left on device");
}
END_TEST

static Suite *trace_writers_suite(void)
{
	Suite *s = suite_create("trace_writers");
	TCase *json = tcase_create("json");
	tcase_add_test(json, test_json_validator_rejects_broken_json);
	tcase_add_test(json, test_json_parses_with_two_events_per_record_and_track_names);
	tcase_add_test(json, test_json_times_and_args_of_a_known_record);
	tcase_add_test(json, test_json_sampled_in_kernel_count_names_its_span);
	tcase_add_test(json, test_json_escapes_strings);
	tcase_add_test(json, test_json_unwritable_path_is_reported);
	tcase_add_test(json, test_json_disk_full_is_reported_at_close);
	suite_add_tcase(s, json);
	TCase *big = tcase_create("json_million");
	/* About 1 s alone; 25 s under ASan on a 2-core host beside stress-ng --cpu 4. A hang guard
	 * only: the time is printed, never judged. */
	tcase_set_timeout(big, 120);
	tcase_add_test(big, test_json_streams_a_million_records);
	suite_add_tcase(s, big);
	return s;
}

CHECK_MAIN(trace_writers_suite)
