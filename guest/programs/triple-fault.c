/* SPDX-License-Identifier: MIT */
/*
 * Asks the kernel to triple-fault (SYS_TEST_TRIPLE_FAULT: empty IDT, then a fault). The CPU shuts
 * down and minivmm reports KVM_EXIT_SHUTDOWN; nothing more is printed by the guest.
 */
#include "guest/user.h"

int main(void)
{
	print("triple-fault: asking the kernel for a triple fault\n");
	syscall0(SYS_TEST_TRIPLE_FAULT);
	print("triple-fault: still running, which it should not be\n");
	return 1;
}
