/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: what a user types (vmm/util/size_parse.c, vmm/cli/options.c and each command's
 * options: vmm/cli/cli.c, vmm/bench/bench_options.c, vmm/compare/compare_options.c).
 *
 * The input, NUL-terminated, goes to every number parser; then it is split at its NUL bytes into
 * arguments (argv[0] the command, each argument in its own exact-size allocation and argv
 * NULL-terminated as main() gets it) for `minivmm run`'s, bench's and compare's parsers in turn.
 * Each call parses fresh, as getopt_long's state is global: a stale state from the previous
 * parse is itself a bug this target looks for.
 *
 * Invariants: each number form accepts only its own characters (a count only digits, a decimal
 * only digits and one inner dot, an address digits or 0x and hex digits) and the forms agree on
 * plain digits; seconds are in (0, one year]; a refused command line is a usage error (status
 * 64) with a one-line message pointing to the command's --help; an accepted one only points into
 * argv, keeps every value in its documented range and obeys the documented exclusions (one GUEST
 * at most, not with --guest, --flat needs a GUEST).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "compare/compare.h"
#include "fuzz_common.h"
#include "util/size_parse.h"

static bool only(const char *text, const char *chars)
{
	return text[0] != '\0' && text[strspn(text, chars)] == '\0';
}

static void fuzz_numbers(const char *text)
{
	uint64_t size = 0, u64 = 0, count = 0;
	double seconds = 0, decimal = 0;
	int size_rc = parse_size(text, &size);
	int u64_rc = parse_u64(text, &u64);
	int count_rc = parse_count(text, &count);
	int sec_rc = parse_seconds(text, &seconds);
	int dec_rc = parse_decimal(text, &decimal);
	FUZZ_CHECK(size_rc == 0 || size_rc == -EINVAL || size_rc == -ERANGE);
	FUZZ_CHECK(u64_rc == 0 || u64_rc == -EINVAL || u64_rc == -ERANGE);
	FUZZ_CHECK(count_rc == 0 || count_rc == -EINVAL || count_rc == -ERANGE);
	FUZZ_CHECK(sec_rc == 0 || sec_rc == -EINVAL || sec_rc == -ERANGE);
	FUZZ_CHECK(dec_rc == 0 || dec_rc == -EINVAL || dec_rc == -ERANGE);
	/* No blank, sign, exponent, hex or word gets through where it does not belong. */
	if (size_rc == 0 || u64_rc == 0)
		FUZZ_CHECK(isdigit((unsigned char)text[0]));
	if (count_rc == 0)
		FUZZ_CHECK(only(text, "0123456789"));
	if (u64_rc == 0)
		FUZZ_CHECK(only(text, "0123456789") || ((text[1] == 'x' || text[1] == 'X') &&
							only(text + 2, "0123456789abcdefABCDEF")));
	if (dec_rc == 0) {
		FUZZ_CHECK(only(text, "0123456789.") && strchr(text, '.') == strrchr(text, '.'));
		FUZZ_CHECK(text[strlen(text) - 1] != '.' && isfinite(decimal) && decimal >= 0);
	}
	if (sec_rc == 0) {
		FUZZ_CHECK(dec_rc == 0 && seconds == decimal);
		FUZZ_CHECK(isfinite(seconds) && seconds > 0 && seconds <= PARSE_SECONDS_MAX);
	}

	/* All decimal digits: every form reads the same decimal number (or all overflow). */
	if (only(text, "0123456789")) {
		FUZZ_CHECK(size_rc == u64_rc && u64_rc == count_rc);
		if (size_rc == 0)
			FUZZ_CHECK(size == u64 && u64 == count);
		FUZZ_CHECK(dec_rc == 0 || dec_rc == -ERANGE);
	}
}

static bool points_into(const char *p, char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return true;
	return false;
}

/* A refusal: a usage error, one line, ending with the command's --help. */
static void check_refusal(int rc, const struct vmm_error *err, const char *command)
{
	FUZZ_CHECK(rc == -EINVAL && err->status == VMM_EXIT_USAGE);
	FUZZ_CHECK(memchr(err->msg, '\0', sizeof err->msg) != NULL && err->msg[0] != '\0');
	char tail[64];
	snprintf(tail, sizeof tail, "(see minivmm %s --help)", command);
	size_t len = strlen(err->msg), tail_len = strlen(tail);
	/* Unless the arguments quoted in it filled the message up. */
	FUZZ_CHECK(len >= sizeof err->msg - 1 ||
		   (len > tail_len && strcmp(err->msg + len - tail_len, tail) == 0));
}

static void parse_run(int argc, char **argv)
{
	struct run_options opts;
	struct vmm_error err = {0};
	int rc = cli_parse_run(argc, argv, &opts, &err);
	if (rc != 0) {
		check_refusal(rc, &err, "run");
		return;
	}
	if (opts.help)
		return; /* parsing stopped there: nothing else was checked */
	FUZZ_CHECK(!opts.guest_path || points_into(opts.guest_path, argv, argc));
	FUZZ_CHECK(!opts.builtin_name || points_into(opts.builtin_name, argv, argc));
	FUZZ_CHECK(!opts.cmdline || points_into(opts.cmdline, argv, argc));
	FUZZ_CHECK(!opts.kvm_device || points_into(opts.kvm_device, argv, argc));
	FUZZ_CHECK(!opts.kvm_device || opts.kvm_device[0] != '\0');
	FUZZ_CHECK(!(opts.guest_path && opts.builtin_name));
	FUZZ_CHECK(!opts.flat || opts.guest_path);
	FUZZ_CHECK(opts.cpus >= 1 && opts.cpus <= CLI_MAX_CPUS);
	FUZZ_CHECK(opts.timeout_seconds == 0 ||
		   (opts.timeout_seconds > 0 && opts.timeout_seconds <= PARSE_SECONDS_MAX));
}

static void parse_bench(int argc, char **argv)
{
	struct bench_options o;
	struct vmm_error err = {0};
	int rc = bench_parse_options(argc, argv, &o, &err);
	if (rc == CLI_HELP)
		return;
	if (rc != 0) {
		check_refusal(rc, &err, "bench");
		return;
	}
	FUZZ_CHECK(o.iterations >= 10 && o.iterations <= 100000000);
	FUZZ_CHECK(o.repeats >= 1 && o.repeats <= BENCH_MAX_REPEATS && o.churn <= 100000);
	FUZZ_CHECK(!o.json_path || (points_into(o.json_path, argv, argc) && o.json_path[0]));
}

static void parse_compare(int argc, char **argv)
{
	struct compare_cli c;
	struct vmm_error err = {0};
	int rc = compare_parse_options(argc, argv, &c, &err);
	if (rc == CLI_HELP)
		return;
	if (rc != 0) {
		check_refusal(rc, &err, "compare");
		return;
	}
	FUZZ_CHECK(c.o.repeats >= 1 && c.o.repeats <= COMPARE_MAX_REPEATS);
	FUZZ_CHECK(c.o.scale > 0 && c.o.scale <= COMPARE_MAX_SCALE);
	FUZZ_CHECK(!c.svg_path || (points_into(c.svg_path, argv, argc) && c.svg_path[0]));
}

static void fuzz_command_line(const uint8_t *data, size_t size)
{
	/* One argument per NUL-separated piece, after the command's name. */
	int argc = 1;
	for (size_t i = 0; i < size; i++)
		argc += data[i] == '\0';
	argc += size > 0 && data[size - 1] != '\0';
	char **argv = malloc((size_t)(argc + 1) * sizeof *argv);
	FUZZ_CHECK(argv != NULL);
	argv[0] = strdup("run");
	int n = 1;
	for (size_t start = 0; start < size;) {
		const uint8_t *nul = memchr(data + start, '\0', size - start);
		size_t len = nul ? (size_t)(nul - (data + start)) : size - start;
		argv[n] = malloc(len + 1);
		FUZZ_CHECK(argv[n] != NULL);
		memcpy(argv[n], data + start, len);
		argv[n][len] = '\0';
		n++;
		start += len + 1;
	}
	FUZZ_CHECK(n == argc);
	argv[argc] = NULL;

	parse_run(argc, argv);
	free(argv[0]);
	argv[0] = strdup("bench");
	parse_bench(argc, argv);
	free(argv[0]);
	argv[0] = strdup("compare");
	parse_compare(argc, argv);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1); /* exact size: an over-read is an ASan report */
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_numbers(text);
	free(text);
	fuzz_command_line(data, size);
	return 0;
}
