/* SPDX-License-Identifier: MIT */
/*
 * shell: an interactive prompt on the serial console, driven by interrupts.
 *
 * Input comes from SYS_CONSOLE_READ, which halts the CPU (HLT) until COM1's receive interrupt
 * brings a byte, so a shell waiting for the user costs the host nothing. Typed characters are
 * echoed; Backspace (DEL or ^H) erases; Enter (CR, LF or CR LF) runs the line. Input from a pipe
 * works the same; at its end the shell simply waits for more (end the input with "exit N").
 * Without an interrupt controller (--no-irqchip) the same call polls the UART instead.
 */
#include "guest/bench_workloads.h"
#include "guest/string.h"
#include "guest/user.h"
#include "guest/x86.h"
#include "minivmm/boot_abi.h"

#define LINE_MAX	      128
#define MAX_ARGS	      8
#define PROMPT		      "minivmm> "
#define BENCH_MAX_OPS	      100000000u /* below SYS_RUN_COMPUTE's limit of 2^30 */
#define BENCH_MEM_QUICK_PAGES 512u	 /* 2 MiB: the default -m 64M has room for ~30 runs */

struct command {
	const char *name;
	const char *help;
	int (*run)(int argc, char **argv); /* returns 0 */
};

static const struct command commands[];

/* --- Input: one line with echo and Backspace -------------------------------------------------
 */

static char input[64];
static int64_t input_len, input_pos;

static char next_char(void)
{
	while (input_pos == input_len) {
		input_len = read_console(input, sizeof(input));
		input_pos = 0;
		if (input_len < 0)
			input_len = 0;
	}
	return input[input_pos++];
}

static void read_line(char *line, size_t size)
{
	static char last;
	size_t len = 0;

	for (;;) {
		char c = next_char();
		char previous = last;
		last = c;
		if (c == '\n' && previous == '\r')
			continue; /* CR LF is one Enter */
		if (c == '\r' || c == '\n')
			break;
		if (c == 0x7f || c == '\b') {
			if (len > 0) {
				len--;
				print("\b \b");
			}
		} else if (c >= 0x20 && c < 0x7f && len + 1 < size) {
			line[len++] = c;
			write(&c, 1);
		}
	}
	line[len] = '\0';
	print("\n");
}

static int split_words(char *line, char **argv)
{
	int argc = 0;
	char *p = line;

	while (*p && argc < MAX_ARGS) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return argc;
}

/* Decimal digits only; returns -1 otherwise. */
static int64_t parse_number(const char *text)
{
	int64_t value = 0;
	if (!*text)
		return -1;
	for (; *text; text++) {
		if (*text < '0' || *text > '9' || value > 100000000)
			return -1;
		value = value * 10 + (*text - '0');
	}
	return value;
}

/* --- Commands ------------------------------------------------------------------------------ */

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (const struct command *c = commands; c->name; c++)
		printf("  %-8s %s\n", c->name, c->help);
	return 0;
}

/* Leaf's registers in order as text into out (4 bytes a register), NUL-terminated. */
static void cpuid_text(uint32_t leaf, const int order[], int words, char *out)
{
	uint32_t regs[4];
	cpuid(leaf, 0, regs);
	for (int i = 0; i < words * 4; i++)
		out[i] = (char)(regs[order[i / 4]] >> (i % 4 * 8));
	out[words * 4] = '\0';
}

/* Leading blanks of the whole text go (Intel pads its brands on the left), never those inside:
 * the brand's 16-byte parts may start with the space between two words. */
static void print_trimmed(const char *text)
{
	while (*text == ' ')
		text++;
	print(text);
}

static void print_cpu(void)
{
	static const int vendor_order[] = {1, 3, 2}; /* EBX, EDX, ECX */
	static const int brand_order[] = {0, 1, 2, 3};
	uint32_t regs[4];
	char text[49];

	print("cpu:      ");
	cpuid_text(0, vendor_order, 3, text);
	print_trimmed(text);
	cpuid(0x80000000u, 0, regs);
	if (regs[0] >= 0x80000004u) {
		print("  ");
		for (uint32_t i = 0; i < 3; i++)
			cpuid_text(0x80000002u + i, brand_order, 4, text + 16 * i);
		print_trimmed(text);
	}
	print("\n");
	/* CPUID leaf 1 feature flags (Intel SDM vol. 2A, CPUID, tables 3-10 and 3-11). */
	static const struct {
		const char *name;
		int reg, bit; /* reg 2 = ECX, 3 = EDX */
	} flags[] = {{"fpu", 3, 0},	{"tsc", 3, 4},	      {"msr", 3, 5},   {"apic", 3, 9},
		     {"sse2", 3, 26},	{"sse3", 2, 0},	      {"ssse3", 2, 9}, {"sse4.2", 2, 20},
		     {"x2apic", 2, 21}, {"popcnt", 2, 23},    {"aes", 2, 25},  {"avx", 2, 28},
		     {"rdrand", 2, 30}, {"hypervisor", 2, 31}};
	cpuid(1, 0, regs);
	print("features:");
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (regs[flags[i].reg] >> flags[i].bit & 1)
			printf(" %s", flags[i].name);
	print("\n");
}

static int cmd_info(int argc, char **argv)
{
	static struct minivmm_boot_info info;
	(void)argc;
	(void)argv;
	print_cpu();
	if (get_boot_info(&info, sizeof(info)) != (int64_t)sizeof(info)) {
		print("info: the boot info system call failed\n");
		return 0;
	}
	info.vmm_version[MINIVMM_VERSION_MAX - 1] = '\0';
	printf("ram:      %lu MiB\ncpus:     %u\nvmm:      %s\n",
	       (unsigned long)(info.ram_size >> 20), info.cpu_count, info.vmm_version);
	uint64_t hz = tick_hz();
	if (hz)
		printf("irqchip:  yes (PIC, PIT at %lu Hz)\n", (unsigned long)hz);
	else
		print("irqchip:  no (polled, --no-irqchip)\n");
	return 0;
}

static int cmd_uptime(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint64_t hz = tick_hz(), ticks = ticks_since_boot();
	if (!hz) {
		print("uptime: no timer (--no-irqchip)\n");
		return 0;
	}
	printf("uptime: %lu ticks at %lu Hz = %lu.%02lu s\n", (unsigned long)ticks,
	       (unsigned long)hz, (unsigned long)(ticks / hz),
	       (unsigned long)(ticks % hz * 100 / hz));
	return 0;
}

static int cmd_sleep(int argc, char **argv)
{
	int64_t seconds = argc > 1 ? parse_number(argv[1]) : 1;
	if (seconds < 0 || sleep_ticks((uint64_t)seconds * tick_hz()) < 0)
		print("sleep: needs a number of seconds and a timer\n");
	return 0;
}

static int cmd_date(int argc, char **argv)
{
	struct guest_rtc_time t;
	(void)argc;
	(void)argv;
	if (rtc_time(&t) < 0) {
		print("date: cannot read the RTC\n");
		return 0;
	}
	printf("%04u-%02u-%02u %02u:%02u:%02u UTC\n", t.year, t.month, t.day, t.hour, t.minute,
	       t.second);
	return 0;
}

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf(i > 1 ? " %s" : "%s", argv[i]);
	print("\n");
	return 0;
}

static void print_bench_line(const char *name, uint64_t ops, uint64_t cycles, const char *path)
{
	printf("%-14s %9lu %10lu  %s\n", name, (unsigned long)ops, (unsigned long)(cycles / ops),
	       path);
}

static void bench_one(const struct bench_workload *w, uint64_t ops)
{
	int64_t refused = w->prepare ? w->prepare() : 0;
	if (refused < 0) {
		printf("%-14s the kernel refused the device access (error %ld)\n", w->name,
		       (long)-refused);
		return;
	}
	uint64_t check;
	print_bench_line(w->name, ops, bench_workload_time(w, ops, &check), w->path);
}

/* Fresh pages every time, so "first" stays a first touch when the command is repeated. */
static void bench_mem(uint64_t pages)
{
	int64_t base = pages > MINIVMM_RAM_MAX / BENCH_PAGE_SIZE
			   ? -1
			   : bench_fresh_ram(pages * BENCH_PAGE_SIZE);
	if (base < 0) {
		printf("mem: no %lu untouched pages left (each run needs new ones): give the VM "
		       "more memory with -m\n",
		       (unsigned long)pages);
		return;
	}
	volatile uint8_t *chunk = (volatile uint8_t *)(uintptr_t)base;
	uint64_t first = bench_touch_pages(chunk, pages);
	uint64_t second = bench_touch_pages(chunk, pages);
	print_bench_line("mem-first", pages, first, BENCH_MEM_FIRST_PATH);
	print_bench_line("mem-second", pages, second, BENCH_MEM_SECOND_PATH);
}

/* The workloads of `minivmm run --guest bench` (one implementation: guest/user/
 * bench_workloads.c), each timed once with the TSC, with few enough operations that all of
 * them together take about half a second on the nested development host. */
static int cmd_bench(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "all";
	int64_t ops = argc > 2 ? parse_number(argv[2]) : 0; /* 0: each workload's quick count */
	if (argc > 3 || (argc > 2 && (ops < 1 || ops > BENCH_MAX_OPS))) {
		printf("bench: usage: bench [NAME [N]], N from 1 to %u\n", BENCH_MAX_OPS);
		return 0;
	}
	int all = strcmp(name, "all") == 0, mem = strcmp(name, "mem") == 0;
	const struct bench_workload *chosen = bench_workload_find(name);
	if (!all && !mem && !chosen) {
		printf("bench: unknown workload '%s' (known: all", name);
		for (size_t i = 0; i < bench_workload_count; i++)
			printf(" %s", bench_workloads[i].name);
		print(" mem)\n");
		return 0;
	}
	printf("%-14s %9s %10s  %s\n", "workload", "ops", "cycles/op", "where each op goes");
	for (size_t i = 0; i < bench_workload_count; i++) {
		const struct bench_workload *w = &bench_workloads[i];
		if (all || w == chosen)
			bench_one(w, ops ? (uint64_t)ops : w->quick_iters);
	}
	if (all || mem)
		bench_mem(ops ? (uint64_t)ops : BENCH_MEM_QUICK_PAGES);
	return 0;
}

static int cmd_exit(int argc, char **argv)
{
	int64_t status = argc > 1 ? parse_number(argv[1]) : 0;
	if (status < 0 || status > MINIVMM_EXIT_STATUS_MAX) {
		printf("exit: give a status from 0 to %d (minivmm keeps the higher ones)\n",
		       MINIVMM_EXIT_STATUS_MAX);
		return 0;
	}
	exit((int)status);
}

static int cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print("rebooting\n");
	reboot();
}

static const struct command commands[] = {
    {"help", "this list", cmd_help},
    {"info", "CPU (CPUID), RAM, CPUs, interrupt controller", cmd_info},
    {"uptime", "timer ticks since boot", cmd_uptime},
    {"sleep", "N: wait N seconds (HLT between timer ticks)", cmd_sleep},
    {"date", "the CMOS clock, UTC", cmd_date},
    {"echo", "ARGS: print ARGS", cmd_echo},
    {"bench", "[NAME [N]]: TSC cycles per op of each workload, or of NAME, N ops", cmd_bench},
    {"exit", "N: end the run with status N", cmd_exit},
    {"reboot", "reset the machine (i8042, port 0xCF9)", cmd_reboot},
    {NULL, NULL, NULL},
};

int main(void)
{
	char line[LINE_MAX];
	char *argv[MAX_ARGS];

	print("minivmm shell: type help\n");
	for (;;) {
		print(PROMPT);
		read_line(line, sizeof(line));
		int argc = split_words(line, argv);
		if (argc == 0)
			continue;
		const struct command *c = commands;
		while (c->name && strcmp(c->name, argv[0]) != 0)
			c++;
		if (c->name)
			c->run(argc, argv);
		else
			printf("%s: unknown command (try help)\n", argv[0]);
	}
}
