/* SPDX-License-Identifier: MIT */
/*
 * A ring-3 program for the debugger (tests/integration/gdb_checks.sh, docs/debugging.md): a
 * function to break in and step through, and a variable it writes (a watchpoint's target).
 * With "linger" on the command line it then spins for about 3 s (something for Ctrl-C to
 * stop). With "int3" it then executes an int3 of its own, with "tf" it sets the
 * trap flag itself: the guest's, not gdb's, which must reach the kernel's handlers (a breakpoint
 * or debug exception report) with or without gdb.
 */
#include "guest/user.h"

volatile uint64_t debuggee_total; /* written once per add_square() */
/* Beside it, on the same page: a watchpoint on debuggee_total must not lose these writes. */
volatile uint64_t debuggee_squares[4];
volatile uint64_t debuggee_spins; /* with "linger" */

__attribute__((noinline)) static uint64_t add_square(uint64_t total, uint64_t n)
{
	debuggee_squares[(n - 1) & 3] = n * n;
	total += n * n;
	debuggee_total = total;
	return total;
}

static int cmdline_has(const char *word)
{
	static struct minivmm_boot_info info;
	if (get_boot_info(&info, sizeof(info)) != (int64_t)sizeof(info))
		return 0;
	info.cmdline[MINIVMM_CMDLINE_MAX - 1] = '\0';
	for (const char *p = info.cmdline; *p; p++) {
		size_t k = 0;
		while (word[k] && p[k] == word[k])
			k++;
		if (!word[k])
			return 1;
	}
	return 0;
}

int main(void)
{
	uint64_t total = 0;
	for (uint64_t n = 1; n <= 4; n++)
		total = add_square(total, n);
	uint64_t sum = 0;
	for (unsigned i = 0; i < 4; i++)
		sum += debuggee_squares[i];
	printf("debuggee: total %lu, squares %lu\n", (unsigned long)total, (unsigned long)sum);
	if (cmdline_has("linger")) { /* about 3 s more of ring 3, for a debugger's Ctrl-C */
		uint64_t until = ticks_since_boot() + 3 * tick_hz();
		while (tick_hz() && ticks_since_boot() < until)
			debuggee_spins++;
	}
	if (cmdline_has("int3"))
		__asm__ volatile("int3");
	if (cmdline_has("tf")) /* TF: a debug exception after the next instruction */
		__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; nop" ::: "memory", "cc");
	return 0;
}
