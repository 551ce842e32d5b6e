/*
 * Fuzz target: what a user types (vmm/util/size_parse.c, vmm/cli/cli.c).
 *
 * The input, NUL-terminated, goes to parse_size(), parse_u64() and parse_seconds(); then it is
 * split at its NUL bytes into the arguments of `minivmm run` (argv[0] = "run", each argument in
 * its own exact-size allocation and argv NULL-terminated as main() gets it) for cli_parse_run().
 * Each call parses fresh, as getopt_long's state is global: a stale state from the previous input
 * is itself a bug this target looks for.
 *
 * Invariants: a parser that succeeds was given a number starting with a digit; plain decimal
 * digits mean the same to parse_size() and parse_u64(); seconds are in (0, one year]; a refused
 * command line is a usage error (status 64) with a message; an accepted one only points into argv
 * and obeys the documented exclusions (one GUEST at most, not with --guest, --flat needs a GUEST).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cli/cli.h"
#include "fuzz_common.h"
#include "util/size_parse.h"

static void fuzz_numbers(const char *text)
{
	uint64_t size = 0, u64 = 0;
	double seconds = 0;
	int size_rc = parse_size(text, &size);
	int u64_rc = parse_u64(text, &u64);
	int sec_rc = parse_seconds(text, &seconds);
	FUZZ_CHECK(size_rc == 0 || size_rc == -EINVAL || size_rc == -ERANGE);
	FUZZ_CHECK(u64_rc == 0 || u64_rc == -EINVAL || u64_rc == -ERANGE);
	FUZZ_CHECK(sec_rc == 0 || sec_rc == -EINVAL || sec_rc == -ERANGE);
	if (size_rc == 0 || u64_rc == 0)
		FUZZ_CHECK(isdigit((unsigned char)text[0]));
	if (sec_rc == 0)
		FUZZ_CHECK(isfinite(seconds) && seconds > 0 && seconds <= 365.0 * 24 * 3600);

	/* All decimal digits: both read the same decimal number (or both overflow). */
	size_t digits = strspn(text, "0123456789");
	if (digits > 0 && text[digits] == '\0') {
		FUZZ_CHECK(size_rc == u64_rc);
		if (size_rc == 0)
			FUZZ_CHECK(size == u64);
	}
}

static bool points_into(const char *p, char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return true;
	return false;
}

static void fuzz_command_line(const uint8_t *data, size_t size)
{
	/* One argument per NUL-separated piece, after "run". */
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

	struct run_options opts;
	struct vmm_error err = {0};
	int rc = cli_parse_run(argc, argv, &opts, &err);
	if (rc != 0) {
		FUZZ_CHECK(rc == -EINVAL && err.status == VMM_EXIT_USAGE);
		FUZZ_CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL && err.msg[0] != '\0');
	} else {
		FUZZ_CHECK(!opts.guest_path || points_into(opts.guest_path, argv, argc));
		FUZZ_CHECK(!opts.builtin_name || points_into(opts.builtin_name, argv, argc));
		FUZZ_CHECK(!opts.cmdline || points_into(opts.cmdline, argv, argc));
		FUZZ_CHECK(!opts.kvm_device || points_into(opts.kvm_device, argv, argc));
		FUZZ_CHECK(!(opts.guest_path && opts.builtin_name));
		FUZZ_CHECK(!opts.flat || opts.guest_path);
		FUZZ_CHECK(opts.timeout_seconds == 0 ||
			   (opts.timeout_seconds > 0 && opts.timeout_seconds <= 365.0 * 24 * 3600));
	}
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
