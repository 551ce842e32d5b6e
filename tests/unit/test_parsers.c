/* SPDX-License-Identifier: MIT */
/* What users type: sizes, addresses, durations, and the run command line. */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "util/size_parse.h"
#include "test_check_main.h"

START_TEST(test_sizes_with_suffixes)
{
	uint64_t v;
	ck_assert_int_eq(parse_size("64M", &v), 0);
	ck_assert_uint_eq(v, 64ull << 20);
	ck_assert_int_eq(parse_size("1g", &v), 0);
	ck_assert_uint_eq(v, 1ull << 30);
	ck_assert_int_eq(parse_size("2048K", &v), 0);
	ck_assert_uint_eq(v, 2ull << 20);
	ck_assert_int_eq(parse_size("512MiB", &v), 0);
	ck_assert_uint_eq(v, 512ull << 20);
	ck_assert_int_eq(parse_size("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(parse_size("4096B", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(parse_size("1KB", &v), 0); /* K, then the optional B */
	ck_assert_uint_eq(v, 1024);
	ck_assert_int_eq(parse_size("3gib", &v), 0);
	ck_assert_uint_eq(v, 3ull << 30);
}
END_TEST

START_TEST(test_bad_sizes)
{
	uint64_t v = 7;
	ck_assert_int_eq(parse_size("", &v), -EINVAL);
	ck_assert_int_eq(parse_size("M", &v), -EINVAL);
	ck_assert_int_eq(parse_size("-1M", &v), -EINVAL);
	ck_assert_int_eq(parse_size(" 1M", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1X", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1MM", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1.5G", &v), -EINVAL);
	ck_assert_int_eq(parse_size("+1M", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1 M", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1M ", &v), -EINVAL);
	ck_assert_int_eq(parse_size("0x10M", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1e3", &v), -EINVAL);
	ck_assert_int_eq(parse_size("1T", &v), -EINVAL); /* K, M and G are the documented ones */
	ck_assert_int_eq(parse_size("1iB", &v), -EINVAL);
	ck_assert_int_eq(parse_size("99999999999999999999", &v), -ERANGE);
	ck_assert_int_eq(parse_size("17179869184G", &v), -ERANGE); /* 2^34 GiB = 2^64 */
	ck_assert_uint_eq(v, 7);				   /* untouched on failure */
}
END_TEST

START_TEST(test_u64_and_seconds)
{
	uint64_t v;
	double s;
	ck_assert_int_eq(parse_u64("0x100000", &v), 0);
	ck_assert_uint_eq(v, 0x100000);
	ck_assert_int_eq(parse_u64("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(parse_u64("010", &v), 0); /* decimal, never octal */
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(parse_u64("0x", &v), -EINVAL);
	ck_assert_int_eq(parse_u64("-5", &v), -EINVAL);
	ck_assert_int_eq(parse_u64("0x-5", &v), -EINVAL);
	ck_assert_int_eq(parse_u64("0x 5", &v), -EINVAL);
	ck_assert_int_eq(parse_u64("0x10000000000000000", &v), -ERANGE);
	ck_assert_int_eq(parse_seconds("0.5", &s), 0);
	ck_assert(s == 0.5);
	ck_assert_int_eq(parse_seconds("0", &s), -ERANGE);
	ck_assert_int_eq(parse_seconds("-1", &s), -EINVAL);
	ck_assert_int_eq(parse_seconds("nan", &s), -EINVAL);
	ck_assert_int_eq(parse_seconds("5s", &s), -EINVAL);
}
END_TEST

/* Counts (--cpus, --repeats, ...): decimal digits and nothing else. */
START_TEST(test_counts)
{
	uint64_t v = 7;
	ck_assert_int_eq(parse_count("2", &v), 0);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(parse_count("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(parse_count("08", &v), 0); /* leading zeros are still decimal */
	ck_assert_uint_eq(v, 8);
	ck_assert_int_eq(parse_count("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	v = 7;
	const char *bad[] = {"",    " 2", "2 ",	 "+2",	"-2", "0x10", "1e3",
			     "2.0", "2x", "\t2", "2\n", "١",  "inf",  NULL};
	for (size_t i = 0; bad[i]; i++)
		ck_assert_msg(parse_count(bad[i], &v) == -EINVAL, "count '%s' accepted", bad[i]);
	ck_assert_int_eq(parse_count(NULL, &v), -EINVAL);
	ck_assert_int_eq(parse_count("18446744073709551616", &v), -ERANGE);
	ck_assert_int_eq(parse_count("99999999999999999999x", &v), -EINVAL); /* form first */
	ck_assert_uint_eq(v, 7); /* untouched on failure */
}
END_TEST

/* Decimals and seconds (--timeout, --scale): digits with an optional fraction, nothing else. */
START_TEST(test_decimals_and_seconds)
{
	double d = 7;
	ck_assert_int_eq(parse_decimal("5", &d), 0);
	ck_assert(d == 5);
	ck_assert_int_eq(parse_decimal("2.5", &d), 0);
	ck_assert(d == 2.5);
	ck_assert_int_eq(parse_decimal(".25", &d), 0);
	ck_assert(d == 0.25);
	ck_assert_int_eq(parse_decimal("0", &d), 0);
	ck_assert(d == 0);
	d = 7;
	const char *bad[] = {"",    ".",     "5.",   "0x10", "0X10", "1e3",	 "1E3", "inf",
			     "nan", "INF",   " 1",   "1 ",   "+1",   "-1",	 "1,5", "1.2.3",
			     "\t1", "0x1p3", "1.5s", "..5",  "five", "infinity", NULL};
	for (size_t i = 0; bad[i]; i++) {
		ck_assert_msg(parse_decimal(bad[i], &d) == -EINVAL, "decimal '%s' accepted",
			      bad[i]);
		ck_assert_msg(parse_seconds(bad[i], &d) == -EINVAL, "seconds '%s' accepted",
			      bad[i]);
	}
	ck_assert_int_eq(parse_decimal(NULL, &d), -EINVAL);
	char huge[400];
	memset(huge, '9', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	ck_assert_int_eq(parse_decimal(huge, &d), -ERANGE); /* beyond a double: infinity */
	ck_assert(d == 7);
	ck_assert_int_eq(parse_seconds("31536000", &d), 0); /* a year, the most */
	ck_assert(d == PARSE_SECONDS_MAX);
	ck_assert_int_eq(parse_seconds("31536000.5", &d), -ERANGE);
	ck_assert_int_eq(parse_seconds("0.0", &d), -ERANGE);
	ck_assert_int_eq(parse_seconds(".001", &d), 0);
	ck_assert(d == 0.001);
}
END_TEST

static int parse(struct run_options *o, struct vmm_error *err, int argc, char **argv)
{
	return cli_parse_run(argc, argv, o, err);
}

START_TEST(test_run_defaults)
{
	struct run_options o;
	struct vmm_error err;
	char *argv[] = {"run", NULL};
	ck_assert_int_eq(parse(&o, &err, 1, argv), 0);
	ck_assert_uint_eq(o.memory, CLI_DEFAULT_MEMORY);
	ck_assert_ptr_null(o.guest_path);
	ck_assert(!o.strict_io && !o.flat);
	ck_assert(o.timeout_seconds == 0);
	ck_assert_uint_eq(o.cpus, 1);
	ck_assert(!o.direct_smp);
}
END_TEST

START_TEST(test_run_cpus)
{
	struct run_options o;
	struct vmm_error err;
	char *eight[] = {"run", "--cpus", "8", "--direct-smp", NULL};
	ck_assert_int_eq(parse(&o, &err, 4, eight), 0);
	ck_assert_uint_eq(o.cpus, 8);
	ck_assert(o.direct_smp);
	const char *bad[] = {"0",  "9",	 "-1", "2x",  "",   "99999999999999999999",
			     " 2", "+2", "2 ", "0x2", "2.0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *argv[] = {"run", "--cpus", (char *)bad[i], NULL};
		ck_assert_int_eq(parse(&o, &err, 3, argv), -EINVAL);
		ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	}
	char *every_alone[] = {"run", "--in-kernel-exits=every", NULL};
	ck_assert_int_eq(parse(&o, &err, 2, every_alone), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	char *every[] = {"run", "--in-kernel-exits=every", "--trace", NULL};
	ck_assert_int_eq(parse(&o, &err, 3, every), 0);
	ck_assert(o.trace.in_kernel_every);
	char *sampled[] = {"run", "--in-kernel-exits", "sampled", "--trace-json", "x.json", NULL};
	ck_assert_int_eq(parse(&o, &err, 5, sampled), 0);
	ck_assert(!o.trace.in_kernel_every);
	char *bad_mode[] = {"run", "--in-kernel-exits=some", "--trace", NULL};
	ck_assert_int_eq(parse(&o, &err, 3, bad_mode), -EINVAL);
	char *reboot[] = {"run", "--cpus", "2", "--reboot", NULL}; /* every vCPU reboots */
	ck_assert_int_eq(parse(&o, &err, 4, reboot), 0);
	ck_assert(o.reboot);
	ck_assert_uint_eq(o.cpus, 2);
	char *reboot_one[] = {"run", "--cpus", "1", "--reboot", NULL};
	ck_assert_int_eq(parse(&o, &err, 4, reboot_one), 0);
	char *sipi[] = {"run", "--cpus", "2", "--sipi-smp", NULL};
	ck_assert_int_eq(parse(&o, &err, 4, sipi), 0);
	ck_assert(o.sipi_smp && !o.direct_smp);
	char *sipi_polled[] = {"run", "--sipi-smp", "--no-irqchip", NULL};
	ck_assert_int_eq(parse(&o, &err, 3, sipi_polled), -EINVAL);
	char *both[] = {"run", "--sipi-smp", "--direct-smp", NULL};
	ck_assert_int_eq(parse(&o, &err, 3, both), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
}
END_TEST

START_TEST(test_run_options)
{
	struct run_options o;
	struct vmm_error err;
	char *argv[] = {"run",	       "-m",	    "128M", "--cmdline",   "a b",
			"--strict-io", "--timeout", "2.5",  "--load-addr", "0x200000",
			"--flat",      "g.bin",	    NULL};
	ck_assert_int_eq(parse(&o, &err, 12, argv), 0);
	ck_assert_uint_eq(o.memory, 128ull << 20);
	ck_assert_str_eq(o.cmdline, "a b");
	ck_assert(o.strict_io && o.flat);
	ck_assert(o.timeout_seconds == 2.5);
	ck_assert_uint_eq(o.load_addr, 0x200000);
	ck_assert_str_eq(o.guest_path, "g.bin");
}
END_TEST

START_TEST(test_run_usage_errors)
{
	struct run_options o;
	struct vmm_error err;
	char *bad_mem[] = {"run", "-m", "big", NULL};
	ck_assert_int_eq(parse(&o, &err, 3, bad_mem), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_str_eq(err.msg, "invalid memory size 'big' for -m: give digits with an optional "
				  "K, M or G suffix, e.g. 64M or 1G (see minivmm run --help)");
	char *missing_value[] = {"run", "--timeout", NULL};
	ck_assert_int_eq(parse(&o, &err, 2, missing_value), -EINVAL);
	char *two[] = {"run", "a", "b", NULL};
	ck_assert_int_eq(parse(&o, &err, 3, two), -EINVAL);
	char *both[] = {"run", "--guest", "hello", "a.elf", NULL};
	ck_assert_int_eq(parse(&o, &err, 4, both), -EINVAL);
	char *flat_builtin[] = {"run", "--flat", NULL};
	ck_assert_int_eq(parse(&o, &err, 2, flat_builtin), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
}
END_TEST

/* Every number option of run refuses the forms its parser refuses, with a usage error naming
 * the option; and paths may not be empty. */
START_TEST(test_run_values_refused)
{
	struct run_options o;
	struct vmm_error err;
	static const char *const bad[][3] = {
	    {"--timeout", "0x10", "invalid --timeout '0x10'"},
	    {"--timeout", "inf", "invalid --timeout 'inf'"},
	    {"--timeout", "nan", "invalid --timeout 'nan'"},
	    {"--timeout", "1e3", "invalid --timeout '1e3'"},
	    {"--timeout", " 1", "invalid --timeout ' 1'"},
	    {"--timeout", "+1", "invalid --timeout '+1'"},
	    {"--timeout", "-1", "invalid --timeout '-1'"},
	    {"--timeout", "0", "invalid --timeout '0'"},
	    {"--cpus", " 2", "invalid --cpus ' 2': give a whole number from 1 to 8"},
	    {"--cpus", "+2", "invalid --cpus '+2'"},
	    {"--timeline-exits", "0x10", "invalid --timeline-exits '0x10'"},
	    {"--timeline-exits", " 5", "invalid --timeline-exits ' 5'"},
	    {"--load-addr", "+0x1000", "invalid --load-addr '+0x1000'"},
	    {"--load-addr", " 4096", "invalid --load-addr ' 4096'"},
	    {"-m", " 64M", "invalid memory size ' 64M' for -m"},
	    {"-m", "+64M", "invalid memory size '+64M' for -m"},
	    {"--kvm", "", "empty path for --kvm: give one, e.g. --kvm /dev/kvm"},
	    {"--trace-json", "", "empty path for --trace-json"},
	    {"--timeline", "", "empty path for --timeline"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *argv[] = {"run", (char *)bad[i][0], (char *)bad[i][1], NULL};
		ck_assert_int_eq(parse(&o, &err, 3, argv), -EINVAL);
		ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
		ck_assert_msg(strstr(err.msg, bad[i][2]) &&
				  strstr(err.msg, "(see minivmm run --help)"),
			      "%s '%s': %s", bad[i][0], bad[i][1], err.msg);
	}
	char *empty_trace[] = {"run", "--trace=", NULL};
	ck_assert_int_eq(parse(&o, &err, 2, empty_trace), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "empty path for --trace"));
	char *good[] = {"run", "--timeout", ".5", "--timeline-exits", "007", "--cpus", "08", NULL};
	ck_assert_int_eq(parse(&o, &err, 7, good), 0); /* leading zeros are decimal */
	ck_assert(o.timeout_seconds == 0.5);
	ck_assert_uint_eq(o.trace.timeline_exits, 7);
	ck_assert_uint_eq(o.cpus, 8);
}
END_TEST

static Suite *parsers_suite(void)
{
	Suite *s = suite_create("parsers");
	TCase *tc = tcase_create("numbers");
	tcase_add_test(tc, test_sizes_with_suffixes);
	tcase_add_test(tc, test_bad_sizes);
	tcase_add_test(tc, test_u64_and_seconds);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_decimals_and_seconds);
	suite_add_tcase(s, tc);
	TCase *cli = tcase_create("cli");
	tcase_add_test(cli, test_run_defaults);
	tcase_add_test(cli, test_run_options);
	tcase_add_test(cli, test_run_usage_errors);
	tcase_add_test(cli, test_run_cpus);
	tcase_add_test(cli, test_run_values_refused);
	suite_add_tcase(s, cli);
	return s;
}

CHECK_MAIN(parsers_suite)
