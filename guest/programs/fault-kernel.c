/* SPDX-License-Identifier: MIT */
/*
 * Asks the kernel to fault in ring 0 (SYS_TEST_KERNEL_FAULT reads an address past the identity
 * map): a page fault in kernel mode, reported, run ends with GUEST_STATUS_KERNEL_FAULT (41).
 */
#include "guest/user.h"

int main(void)
{
	print("fault-kernel: asking the kernel to touch unmapped memory\n");
	syscall0(SYS_TEST_KERNEL_FAULT);
	print("fault-kernel: the kernel survived, which it should not have\n");
	return 1;
}
