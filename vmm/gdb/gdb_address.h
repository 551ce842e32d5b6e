/* SPDX-License-Identifier: MIT */
/* Where --gdb listens: PORT (loopback), HOST:PORT (a numeric IPv4 address), or unix:PATH. */
#ifndef MINIVMM_GDB_ADDRESS_H
#define MINIVMM_GDB_ADDRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "util/vmm_error.h"

struct gdb_address {
	bool is_unix;
	char host[16]; /* dotted IPv4, "127.0.0.1" by default */
	uint16_t port;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* Parses what the user gave to --gdb. Returns 0, or -EINVAL with a usage error naming --gdb. */
int gdb_address_parse(const char *text, struct gdb_address *addr, struct vmm_error *err);

#endif
