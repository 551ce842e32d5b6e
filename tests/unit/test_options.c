/* SPDX-License-Identifier: MIT */
/* The shared option parser (vmm/cli/options.c) and the truth of each subcommand's --help. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "cli/info.h"
#include "cli/option_values.h"
#include "cli/options.h"
#include "compare/compare.h"
#include "test_check_main.h"

/* A small subcommand: --count N, --name TEXT, --flag, -v, and --help. */
enum { OPT_COUNT = 256, OPT_NAME, OPT_FLAG, OPT_CORE };

struct seen {
	uint64_t count;
	const char *name;
	int flags, verbose;
};

static const struct option test_options[] = {
    {"count", required_argument, NULL, OPT_COUNT},
    {"name", required_argument, NULL, OPT_NAME},
    {"flag", no_argument, NULL, OPT_FLAG},
    {"core", no_argument, NULL, OPT_CORE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int test_option(int opt, const char *arg, void *ctx, struct vmm_error *err)
{
	struct seen *s = ctx;
	switch (opt) {
	case OPT_COUNT:
		return cli_count("--count", arg, 1, 10, &s->count, err);
	case OPT_NAME:
		s->name = arg;
		return 0;
	case OPT_FLAG:
	case OPT_CORE:
		s->flags++;
		return 0;
	case 'v':
		s->verbose++;
		return 0;
	default:
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "unexpected %d", opt);
	}
}

static const struct cli_spec no_operand = {.short_options = "vh", .long_options = test_options};
static const struct cli_spec one_operand = {
    .short_options = "vh", .long_options = test_options, .operand = "FILE"};

/* Parses a NULL-terminated argv; the message, if any, in err. */
static int parse_args(const struct cli_spec *spec, char **argv, struct seen *s,
		      const char **operand, struct vmm_error *err)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	*s = (struct seen){0};
	*err = (struct vmm_error){0};
	return cli_parse(spec, argc, argv, test_option, s, operand, err);
}

/* The parse refuses argv with exactly this message (status 64). */
static void expect_refused(const struct cli_spec *spec, char **argv, const char *msg)
{
	struct seen s;
	struct vmm_error err;
	const char *operand = NULL;
	ck_assert_int_eq(parse_args(spec, argv, &s, &operand, &err), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_options_accepted)
{
	struct seen s;
	struct vmm_error err;
	const char *operand = "stale";
	char *argv[] = {"test", "--count", "3", "--name=x y", "-vv", "--flag", "--fl", NULL};
	ck_assert_int_eq(parse_args(&no_operand, argv, &s, &operand, &err), 0);
	ck_assert_uint_eq(s.count, 3);
	ck_assert_str_eq(s.name, "x y");
	ck_assert_int_eq(s.verbose, 2);
	ck_assert_int_eq(s.flags, 2); /* "--fl" abbreviates --flag alone */
	ck_assert_ptr_null(operand);
	char *with_file[] = {"test", "-v", "a.elf", NULL};
	ck_assert_int_eq(parse_args(&one_operand, with_file, &s, &operand, &err), 0);
	ck_assert_str_eq(operand, "a.elf");
	char *dashed[] = {"test", "--", "-file", NULL}; /* "--" ends the options */
	ck_assert_int_eq(parse_args(&one_operand, dashed, &s, &operand, &err), 0);
	ck_assert_str_eq(operand, "-file");
	char *help[] = {"test", "--count", "2", "--help", "--bogus", NULL};
	ck_assert_int_eq(parse_args(&no_operand, help, &s, &operand, &err), CLI_HELP);
	char *short_help[] = {"test", "-vh", NULL};
	ck_assert_int_eq(parse_args(&no_operand, short_help, &s, &operand, &err), CLI_HELP);
}
END_TEST

START_TEST(test_options_refused)
{
	char *unknown_long[] = {"bench", "--foo", NULL};
	expect_refused(&no_operand, unknown_long,
		       "unknown option '--foo' (see minivmm bench --help)");
	char *unknown_with_value[] = {"bench", "--foo=1", NULL};
	expect_refused(&no_operand, unknown_with_value,
		       "unknown option '--foo' (see minivmm bench --help)");
	char *unknown_short[] = {"bench", "-x", NULL};
	expect_refused(&no_operand, unknown_short,
		       "unknown option '-x' (see minivmm bench --help)");
	char *in_cluster[] = {"bench", "-vxv", NULL};
	expect_refused(&no_operand, in_cluster, "unknown option '-x' (see minivmm bench --help)");
	char *missing[] = {"bench", "--count", "2", "--name", NULL};
	expect_refused(&no_operand, missing, "missing value for --name (see minivmm bench --help)");
	char *missing_abbrev[] = {"bench", "--na", NULL};
	expect_refused(&no_operand, missing_abbrev,
		       "missing value for --name (see minivmm bench --help)");
	char *no_value[] = {"bench", "--flag=yes", NULL};
	expect_refused(&no_operand, no_value,
		       "option '--flag' takes no value (see minivmm bench --help)");
	char *ambiguous[] = {"bench", "--co", "1", NULL};
	expect_refused(&no_operand, ambiguous,
		       "ambiguous option '--co': did you mean --count or --core? (see minivmm "
		       "bench --help)");
	char *bad_value[] = {"bench", "--count", "+2", NULL};
	expect_refused(&no_operand, bad_value,
		       "invalid --count '+2': give a whole number from 1 to 10, in decimal digits "
		       "(see minivmm bench --help)");
}
END_TEST

/* Issue 11: `bench --iterations 100 --repeats 1 extra --json x.json` ran and ignored the rest. */
START_TEST(test_leftover_arguments_refused)
{
	char *extra[] = {"bench", "--count", "1", "extra", "--name", "x.json", NULL};
	expect_refused(&no_operand, extra,
		       "unexpected argument 'extra': give options only (see minivmm bench --help)");
	char *after_dashes[] = {"bench", "--", "extra", NULL};
	expect_refused(&no_operand, after_dashes,
		       "unexpected argument 'extra': give options only (see minivmm bench --help)");
	char *two_files[] = {"run", "a.elf", "b.elf", NULL};
	expect_refused(&one_operand, two_files,
		       "unexpected argument 'b.elf': give one FILE at most (see minivmm run "
		       "--help)");
	char *option_after[] = {"run", "a.elf", "--flag", NULL};
	expect_refused(&one_operand, option_after,
		       "option '--flag' after FILE 'a.elf': put options before FILE (see minivmm "
		       "run --help)");
}
END_TEST

/* getopt_long's state is global: each parse starts afresh, even after one that stopped inside a
 * cluster of short options. */
START_TEST(test_parses_are_independent)
{
	struct seen s;
	struct vmm_error err;
	const char *operand;
	char *stop_in_cluster[] = {"test", "-vhv", NULL};
	ck_assert_int_eq(parse_args(&no_operand, stop_in_cluster, &s, &operand, &err), CLI_HELP);
	char *again[] = {"test", "-v", NULL};
	ck_assert_int_eq(parse_args(&no_operand, again, &s, &operand, &err), 0);
	ck_assert_int_eq(s.verbose, 1);
	char *refused[] = {"test", "--count", "0", NULL};
	ck_assert_int_eq(parse_args(&no_operand, refused, &s, &operand, &err), -EINVAL);
	char *fine[] = {"test", "--count", "10", NULL};
	ck_assert_int_eq(parse_args(&no_operand, fine, &s, &operand, &err), 0);
	ck_assert_uint_eq(s.count, 10);
}
END_TEST

START_TEST(test_usage_error_after_parsing)
{
	struct vmm_error err = {0};
	ck_assert_int_eq(cli_usage_error(&err, "info", "--vcpu must be below --cpus"), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_str_eq(err.msg, "--vcpu must be below --cpus (see minivmm info --help)");
}
END_TEST

START_TEST(test_value_helpers)
{
	struct vmm_error err;
	uint64_t n = 5;
	double d = 5;
	ck_assert_int_eq(cli_count("--cpus", "8", 1, 8, &n, &err), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(cli_count("--cpus", "9", 1, 8, &n, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "invalid --cpus '9': give a whole number from 1 to 8, in "
				  "decimal digits");
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(cli_decimal("--scale", "0.01", 1000, &d, &err), 0);
	ck_assert(d == 0.01);
	ck_assert_int_eq(cli_decimal("--scale", "1001", 1000, &d, &err), -EINVAL);
	ck_assert_int_eq(cli_decimal("--scale", "0", 1000, &d, &err), -EINVAL);
	ck_assert_int_eq(cli_decimal("--scale", "1e2", 1000, &d, &err), -EINVAL);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert(d == 0.01);
	ck_assert_int_eq(cli_seconds("--timeout", "0x10", &d, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "invalid --timeout '0x10'"));
	ck_assert_int_eq(cli_address("--load-addr", "0x200000", &n, &err), 0);
	ck_assert_uint_eq(n, 0x200000);
	ck_assert_int_eq(cli_path("--kvm", "", "--kvm /dev/kvm", &err), -EINVAL);
	ck_assert_str_eq(err.msg, "empty path for --kvm: give one, e.g. --kvm /dev/kvm");
	ck_assert_int_eq(cli_path("--kvm", "/dev/kvm", "--kvm /dev/kvm", &err), 0);
}
END_TEST

/*
 * --help tells the truth: the options a subcommand's help defines (lines starting, within six
 * columns, with "-x, --name" or "--name") are exactly those its parser accepts, each short
 * letter beside the long option it stands for, and "--name ARG" / "--name[=ARG]" / "--name"
 * as the option takes a value, may take one, or takes none.
 */
static const struct option *long_named(const struct cli_spec *spec, const char *name, size_t len)
{
	for (const struct option *o = spec->long_options; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static void check_help_tells_truth(const char *command, const struct cli_spec *spec)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	ck_assert_ptr_nonnull(out);
	spec->usage(out);
	fclose(out);
	bool listed[64] = {false};
	char letters[64] = ""; /* the short options the help lists */
	unsigned count = 0;
	for (const struct option *o = spec->long_options; o->name; o++)
		count++;
	ck_assert_uint_lt(count, 64);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		size_t indent = strspn(line, " ");
		if (indent > 6 || line[indent] != '-')
			continue; /* not an option's own line */
		const char *p = line + indent;
		char letter = 0;
		if (p[1] != '-') {
			letter = p[1];
			ck_assert_msg(strncmp(p + 2, ", --", 4) == 0,
				      "%s --help: '-%c' is not followed by its long name: %s",
				      command, letter, line);
			p += 4;
		}
		const char *name = p + 2;
		size_t len = strcspn(name, " [=");
		const struct option *o = long_named(spec, name, len);
		ck_assert_msg(o, "%s --help lists --%.*s, which %s does not accept", command,
			      (int)len, name, command);
		listed[o - spec->long_options] = true;
		int has_arg = name[len] == '[' ? optional_argument
			      : name[len] == ' ' && name[len + 1] >= 'A' && name[len + 1] <= 'Z'
				  ? required_argument
				  : no_argument;
		ck_assert_msg(has_arg == o->has_arg,
			      "%s --help shows --%s with%s a value, the parser wants %d: %s",
			      command, o->name, has_arg ? "" : "out", o->has_arg, line);
		if (letter) {
			const char *in_short = strchr(spec->short_options, letter);
			ck_assert_msg(in_short && o->val == letter,
				      "%s --help pairs -%c with --%s, the parser does not", command,
				      letter, o->name);
			ck_assert_msg((in_short[1] == ':') == (o->has_arg == required_argument),
				      "%s: -%c and --%s disagree on taking a value", command,
				      letter, o->name);
			letters[strlen(letters)] = letter;
		}
	}
	for (unsigned i = 0; i < count; i++)
		ck_assert_msg(listed[i], "%s accepts --%s, which its --help does not list", command,
			      spec->long_options[i].name);
	for (const char *c = spec->short_options; *c; c++)
		ck_assert_msg(*c == ':' || strchr(letters, *c),
			      "%s accepts -%c, which its --help does not list", command, *c);
	free(text);
}

START_TEST(test_help_tells_truth)
{
	check_help_tells_truth("run", &cli_run_spec);
	check_help_tells_truth("restore", &cli_restore_spec);
	check_help_tells_truth("info", &info_cli_spec);
	check_help_tells_truth("bench", &bench_cli_spec);
	check_help_tells_truth("compare", &compare_cli_spec);
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_options_accepted);
	tcase_add_test(tc, test_options_refused);
	tcase_add_test(tc, test_leftover_arguments_refused);
	tcase_add_test(tc, test_parses_are_independent);
	tcase_add_test(tc, test_usage_error_after_parsing);
	tcase_add_test(tc, test_value_helpers);
	suite_add_tcase(s, tc);
	TCase *help = tcase_create("help");
	tcase_add_test(help, test_help_tells_truth);
	suite_add_tcase(s, help);
	return s;
}

CHECK_MAIN(options_suite)
