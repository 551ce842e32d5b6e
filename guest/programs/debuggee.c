/* SPDX-License-Identifier: MIT */
/*
 * A ring-3 program for the debugger (tests/integration/gdb_checks.sh, docs/debugging.md): a
 * function to break in and step through, and a variable it writes (a watchpoint's target).
 * With "int3" on the command line it then executes an int3 of its own, with "tf" it sets the
 * trap flag itself: the guest's, not gdb's, which must reach the kernel's handlers (a breakpoint
 * or debug exception report) with or without gdb.
 */
#include "guest/user.h"

volatile uint64_t debuggee_total; /* written once per add_square() */

__attribute__((noinline)) static uint64_t add_square(uint64_t total, uint64_t n)
{
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
	printf("debuggee: total %lu\n", (unsigned long)total);
	if (cmdline_has("int3"))
		__asm__ volatile("int3");
	if (cmdline_has("tf")) /* TF: a debug exception after the next instruction */
		__asm__ volatile("pushfq; orq $0x100, (%%rsp); popfq; nop" ::: "memory", "cc");
	return 0;
}
