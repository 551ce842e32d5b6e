/*
 * bench: times one workload from ring 3 with the TSC, for `minivmm compare` (issue 4).
 *
 * Command line (boot info, `minivmm run --cmdline "..."`): key=value words
 *   workload=NAME  one of the names in the table below (default compute)
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
#include "minivmm/workloads.h"
#include "guest/string.h"
#include "guest/user.h"
#include "guest/x86.h"

#define EXIT_USAGE	  2
#define EXIT_SETUP	  1
#define PAGE_SIZE	  4096u
#define DEFAULT_ITERS	  1000000u
#define DEFAULT_REPEATS	  5u
#define DEFAULT_MIB	  64u
#define MAX_WORDS	  32
#define REGISTER(address) (*(volatile uint32_t *)(uintptr_t)(address))

struct options {
	const char *workload;
	uint64_t iters, repeats, mib;
};

/* TSC reads ordered against the loop: LFENCE waits for earlier instructions to complete before
 * RDTSC executes, and the one after keeps later ones from starting early (Intel SDM vol. 2B,
 * RDTSC). */
static inline uint64_t tsc_now(void)
{
	__asm__ volatile("lfence" ::: "memory");
	uint64_t t = rdtsc();
	__asm__ volatile("lfence" ::: "memory");
	return t;
}

/* --- The timed loops: each performs iters operations and returns a checksum (or 0). --------- */

static uint64_t loop_compute(uint64_t iters)
{
	return workload_compute(iters);
}

static uint64_t loop_compute_kernel(uint64_t iters)
{
	return (uint64_t)run_compute_in_kernel(iters);
}

static uint64_t loop_pio(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		outl(MINIVMM_BENCH_PIO_PORT, (uint32_t)i);
	return 0;
}

static uint64_t loop_pio_syscall(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		port_write(MINIVMM_BENCH_PIO_PORT, 4, (uint32_t)i);
	return 0;
}

static uint64_t loop_mmio(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		REGISTER(MINIVMM_BENCH_MMIO_GPA) = (uint32_t)i;
	return 0;
}

static uint64_t loop_mmio_syscall(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		mmio_write(MINIVMM_BENCH_MMIO_GPA, (uint32_t)i);
	return 0;
}

static uint64_t loop_ioeventfd_pio(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		outl(MINIVMM_BENCH_PIO_DOORBELL_PORT, (uint32_t)i);
	return 0;
}

static uint64_t loop_ioeventfd_mmio(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		REGISTER(MINIVMM_BENCH_MMIO_DOORBELL_GPA) = (uint32_t)i;
	return 0;
}

static uint64_t loop_coalesced_mmio(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		REGISTER(MINIVMM_BENCH_COALESCED_GPA) = (uint32_t)i;
	return 0;
}

static uint64_t loop_cpuid(uint64_t iters)
{
	uint32_t regs[4];

	for (uint64_t i = 0; i < iters; i++)
		cpuid(0, 0, regs);
	return 0;
}

static uint64_t loop_syscall(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		sys_nop();
	return 0;
}

/* --- Untimed preparation: what the program asks its kernel for before the loop. ------------- */

static int64_t grant_bench_port(void)
{
	return ioport_grant(MINIVMM_BENCH_PIO_PORT, MINIVMM_BENCH_PIO_SIZE);
}

static int64_t grant_doorbell_port(void)
{
	return ioport_grant(MINIVMM_BENCH_PIO_DOORBELL_PORT, MINIVMM_BENCH_PIO_SIZE);
}

static int64_t map_bench_mmio(void)
{
	/* One 2 MiB page holds the register, the doorbell and the coalesced page. */
	return mmio_map(MINIVMM_BENCH_MMIO_GPA);
}

struct workload {
	const char *name;
	int64_t (*prepare)(void); /* NULL: nothing; negative result: failure */
	uint64_t (*loop)(uint64_t iters);
	int prints_check; /* the checksum goes into @result */
};

static const struct workload workloads[] = {
    {"compute", NULL, loop_compute, 1},
    {"compute-kernel", NULL, loop_compute_kernel, 1},
    {"pio", grant_bench_port, loop_pio, 0},
    {"pio-syscall", NULL, loop_pio_syscall, 0},
    {"mmio", map_bench_mmio, loop_mmio, 0},
    {"mmio-syscall", NULL, loop_mmio_syscall, 0},
    {"ioeventfd-pio", grant_doorbell_port, loop_ioeventfd_pio, 0},
    {"ioeventfd-mmio", map_bench_mmio, loop_ioeventfd_mmio, 0},
    {"coalesced-mmio", map_bench_mmio, loop_coalesced_mmio, 0},
    {"cpuid", NULL, loop_cpuid, 0},
    {"syscall", NULL, loop_syscall, 0},
};

/* --- mem: first touch, then second touch, of fresh RAM each repeat. ------------------------- */

static uint64_t touch_pages(volatile uint8_t *base, uint64_t pages)
{
	uint64_t start = tsc_now();
	for (uint64_t i = 0; i < pages; i++)
		base[i * PAGE_SIZE] = (uint8_t)i;
	return tsc_now() - start;
}

static int run_mem(const struct options *opt)
{
	uint64_t bytes = opt->mib << 20, pages = bytes / PAGE_SIZE;
	/* Each repeat gets memory nobody has touched yet, or its "first" touch would not be. */
	int64_t base = opt->repeats > MINIVMM_RAM_MAX / bytes ? -1 : mem_map(bytes * opt->repeats);
	if (base < 0) {
		printf("bench: cannot map %lu MiB of RAM (mib x repeats) above the program: give "
		       "the VM more memory with -m\n",
		       (unsigned long)(opt->mib * opt->repeats));
		return EXIT_SETUP;
	}
	for (uint64_t r = 0; r < opt->repeats; r++) {
		volatile uint8_t *chunk =
		    (volatile uint8_t *)(uintptr_t)((uint64_t)base + r * bytes);
		uint64_t first = touch_pages(chunk, pages);
		uint64_t second = touch_pages(chunk, pages);
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

static const struct workload *find_workload(const char *name)
{
	for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
		if (strcmp(workloads[i].name, name) == 0)
			return &workloads[i];
	return NULL;
}

static int run_timed(const struct workload *w, const struct options *opt)
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
		uint64_t start = tsc_now();
		uint64_t check = w->loop(opt->iters);
		uint64_t cycles = tsc_now() - start;
		printf("@result workload=%s iters=%lu repeat=%lu tsc=%lu", w->name,
		       (unsigned long)opt->iters, (unsigned long)r, (unsigned long)cycles);
		if (w->prints_check)
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
		const struct workload *w = find_workload(opt.workload);
		if (!w) {
			print("bench: unknown workload (known: mem");
			for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
				printf(" %s", workloads[i].name);
			print(")\n");
			return EXIT_USAGE;
		}
		status = run_timed(w, &opt);
	}
	if (status == 0)
		print("@done\n");
	return status;
}
