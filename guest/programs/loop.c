/* SPDX-License-Identifier: MIT */
/*
 * Prints one line, then spins in ring 3 forever: the run only ends when minivmm's --timeout (or a
 * signal) stops it.
 */
#include "guest/user.h"

int main(void)
{
	print("loop: spinning forever in ring 3\n");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
