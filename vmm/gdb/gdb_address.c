/* SPDX-License-Identifier: MIT */
#include "gdb/gdb_address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "util/size_parse.h"

static int bad(struct vmm_error *err, const char *text)
{
	return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
			     "invalid --gdb '%s': give PORT (1-65535, on 127.0.0.1), "
			     "HOST:PORT with a numeric IPv4 HOST, or unix:PATH",
			     text);
}

int gdb_address_parse(const char *text, struct gdb_address *addr, struct vmm_error *err)
{
	memset(addr, 0, sizeof *addr);
	if (strncmp(text, "unix:", 5) == 0) {
		size_t len = strlen(text + 5);
		if (len == 0 || len >= sizeof addr->path)
			return bad(err, text);
		addr->is_unix = true;
		memcpy(addr->path, text + 5, len + 1);
		return 0;
	}
	const char *colon = strrchr(text, ':');
	const char *port_text = colon ? colon + 1 : text;
	strcpy(addr->host, "127.0.0.1");
	if (colon) {
		size_t host_len = (size_t)(colon - text);
		struct in_addr ignored;
		if (host_len == 0 || host_len >= sizeof addr->host)
			return bad(err, text);
		memcpy(addr->host, text, host_len);
		addr->host[host_len] = '\0';
		if (inet_pton(AF_INET, addr->host, &ignored) != 1)
			return bad(err, text);
	}
	uint64_t port;
	if (parse_count(port_text, &port) || port == 0 || port > 65535)
		return bad(err, text);
	addr->port = (uint16_t)port;
	return 0;
}
