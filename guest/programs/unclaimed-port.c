/* SPDX-License-Identifier: MIT */
/*
 * Touches a port no minivmm device claims (0x2f8, COM2) through the kernel's port system calls:
 * the write is dropped and the read returns all ones. Exits 0; with --strict-io minivmm stops the
 * run at the first access instead.
 */
#include "guest/user.h"

#define UNCLAIMED_PORT 0x2f8

int main(void)
{
	printf("unclaimed-port: writing 0x41 to port 0x%x\n", UNCLAIMED_PORT);
	port_write(UNCLAIMED_PORT, 1, 0x41);
	int64_t value = port_read(UNCLAIMED_PORT, 1);
	printf("unclaimed-port: read 0x%llx from port 0x%x\n", (unsigned long long)value,
	       UNCLAIMED_PORT);
	return 0;
}
