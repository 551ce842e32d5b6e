/* SPDX-License-Identifier: MIT */
/*
 * bench: times one workload from ring 3 with the TSC, for `minivmm compare` (issue 4).
 *
 * Command line (boot info, `minivmm run --cmdline "..."`): key=value words
 *   workload=NAME  mem, or a name in guest/user/bench_workloads.c's table (default compute)
 *   iters=N        operations per repeat (default 1000000)
 *   repeats=N      timed repeats (default 5)
 *   mib=N          MiB touched per repeat by workload=mem (default 64)
 * An unknown word is an error (exit 2). Output, one line per repeat, then "@done" and exit 0:
 *   @result workload=pio iters=100000 repeat=0 tsc=123456789
 *   @result workload=compute iters=100000 repeat=0 tsc=123456 check=0x0123456789abcdef
 *   @result workload=mem phase=first mib=64 pages=16384 repeat=0 tsc=123456789
 * tsc is the TSC difference around the loop alone (read in ring 3; CR4.TSD is clear); nothing is
 * printed inside a timed region. Devices: include/minivmm/boot_abi.h, MINIVMM_BENCH_*.
 */
#include "guest/bench_workloads.h"
#include "guest/string.h"
#include "guest/user.h"

#define EXIT_USAGE	2
#define EXIT_SETUP	1
#define DEFAULT_ITERS	1000000u
#define DEFAULT_REPEATS 5u
#define DEFAULT_MIB	64u

struct options {
	const char *workload;
	uint64_t iters, repeats, mib;
};

/* --- mem: first touch, then second touch, of fresh RAM each repeat. ------------------------- */

static int run_mem(const struct options *opt)
{
	uint64_t bytes = opt->mib << 20, pages = bytes / BENCH_PAGE_SIZE;
	/* Each repeat gets memory nobody has touched yet, or its "first" touch would not be. */
	int64_t base =
	    opt->repeats > MINIVMM_RAM_MAX / bytes ? -1 : bench_fresh_ram(bytes * opt->repeats);
	if (base < 0) {
		printf("bench: cannot map %lu MiB of RAM (mib x repeats) above the program: give "
		       "the VM more memory with -m\n",
		       (unsigned long)(opt->mib * opt->repeats));
		return EXIT_SETUP;
	}
	for (uint64_t r = 0; r < opt->repeats; r++) {
		volatile uint8_t *chunk =
		    (volatile uint8_t *)(uintptr_t)((uint64_t)base + r * bytes);
		uint64_t first = bench_touch_pages(chunk, pages);
		uint64_t second = bench_touch_pages(chunk, pages);
		printf("@result workload=mem phase=first mib=%lu pages=%lu repeat=%lu tsc=%lu\n",
		       (unsigned long)opt->mib, (unsigned long)pages, (unsigned long)r,
		       (unsigned long)first);
		printf("@result workload=mem phase=second mib=%lu pages=%lu repeat=%lu tsc=%lu\n",
		       (unsigned long)opt->mib, (unsigned long)pages, (unsigned long)r,
		       (unsigned long)second);
	}
	return 0;
}

/* --- Command line ---------------------------------------------------------------------------- */

/* A positive decimal number without overflow; 0 on success. */
static int parse_count(const char *text, uint64_t *out)
{
	uint64_t value = 0;

	if (!*text)
		return -1;
	for (; *text; text++) {
		if (*text < '0' || *text > '9')
			return -1;
		unsigned digit = (unsigned)(*text - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return -1;
		value = value * 10 + digit;
	}
	if (value == 0)
		return -1;
	*out = value;
	return 0;
}

static int parse_word(char *word, struct options *opt)
{
	char *eq = word;
	while (*eq && *eq != '=')
		eq++;
	if (!*eq) {
		printf("bench: '%s' is not key=value\n", word);
		return -1;
	}
	*eq = '\0';
	const char *key = word, *value = eq + 1;
	if (strcmp(key, "workload") == 0) {
		opt->workload = value;
		return 0;
	}
	uint64_t *target = strcmp(key, "iters") == 0	 ? &opt->iters
			   : strcmp(key, "repeats") == 0 ? &opt->repeats
			   : strcmp(key, "mib") == 0	 ? &opt->mib
							 : NULL;
	if (!target) {
		printf("bench: unknown key '%s' (known: workload iters repeats mib)\n", key);
		return -1;
	}
	if (parse_count(value, target)) {
		printf("bench: %s=%s: expected a positive decimal number\n", key, value);
		return -1;
	}
	return 0;
}

/* Splits cmdline (modified in place) into words separated by spaces or tabs. */
static int parse_cmdline(char *cmdline, struct options *opt)
{
	char *p = cmdline;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		char *word = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		if (parse_word(word, opt))
			return -1;
	}
	if (opt->mib > (MINIVMM_RAM_MAX >> 20)) {
		printf("bench: mib=%lu is more than RAM can be\n", (unsigned long)opt->mib);
		return -1;
	}
	return 0;
}

static int run_timed(const struct bench_workload *w, const struct options *opt)
{
	if (w->prepare) {
		int64_t ret = w->prepare();
		if (ret < 0) {
			printf("bench: %s: the kernel refused the device access (error %ld)\n",
			       w->name, (long)-ret);
			return EXIT_SETUP;
		}
	}
	for (uint64_t r = 0; r < opt->repeats; r++) {
		uint64_t check;
		uint64_t cycles = bench_workload_time(w, opt->iters, &check);
		printf("@result workload=%s iters=%lu repeat=%lu tsc=%lu", w->name,
		       (unsigned long)opt->iters, (unsigned long)r, (unsigned long)cycles);
		if (w->has_checksum)
			printf(" check=0x%016lx", (unsigned long)(check & INT64_MAX));
		print("\n");
	}
	return 0;
}

int main(void)
{
	static struct minivmm_boot_info info;
	struct options opt = {"compute", DEFAULT_ITERS, DEFAULT_REPEATS, DEFAULT_MIB};

	if (get_boot_info(&info, sizeof info) != (int64_t)sizeof info) {
		print("bench: the boot info system call failed\n");
		return EXIT_SETUP;
	}
	info.cmdline[MINIVMM_CMDLINE_MAX - 1] = '\0';
	if (parse_cmdline(info.cmdline, &opt))
		return EXIT_USAGE;
	int status;
	if (strcmp(opt.workload, "mem") == 0) {
		status = run_mem(&opt);
	} else {
		const struct bench_workload *w = bench_workload_find(opt.workload);
		if (!w) {
			print("bench: unknown workload (known: mem");
			for (size_t i = 0; i < bench_workload_count; i++)
				printf(" %s", bench_workloads[i].name);
			print(")\n");
			return EXIT_USAGE;
		}
		status = run_timed(w, &opt);
	}
	if (status == 0)
		print("@done\n");
	return status;
}
