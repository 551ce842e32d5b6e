/* SPDX-License-Identifier: MIT */
/*
 * A ring-3 access to kernel-only memory: the boot info page is mapped (identity map) but its page
 * has U/S clear, so the read raises a page fault (error code 0x5: present, read, user). The kernel
 * reports it and ends the run with GUEST_STATUS_USER_FAULT (40).
 */
#include "guest/user.h"

int main(void)
{
	printf("fault-user: reading kernel-only address 0x%llx from ring 3\n",
	       (unsigned long long)MINIVMM_BOOT_INFO_GPA);
	uint32_t magic = *(volatile uint32_t *)(uintptr_t)MINIVMM_BOOT_INFO_GPA;
	printf("fault-user: read 0x%x, but ring 3 should not reach kernel memory\n", magic);
	return 1;
}
