/* SPDX-License-Identifier: MIT */
/*
 * --trace-filter: which records the text trace shows, e.g. "io,mmio,hlt,port=0x3f8".
 * Reason words (io, mmio, hlt, shutdown, intr, other) select exit reasons; port=N, addr=N and
 * device=NAME select accesses. A record is shown if it matches one of the reasons (or no reason
 * was named) and one of the port/addr/device terms (or none was named).
 */
#ifndef MINIVMM_TRACE_FILTER_H
#define MINIVMM_TRACE_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "trace/exit_record.h"
#include "util/vmm_error.h"

#define TRACE_FILTER_MAX_TERMS 16

struct trace_filter {
	uint32_t reasons[TRACE_FILTER_MAX_TERMS];
	unsigned reason_count;
	bool reason_other; /* "other": any reason not named by a word of its own */
	uint64_t ports[TRACE_FILTER_MAX_TERMS];
	unsigned port_count;
	uint64_t addrs[TRACE_FILTER_MAX_TERMS];
	unsigned addr_count;
	char devices[TRACE_FILTER_MAX_TERMS][32];
	unsigned device_count;
};

/* spec NULL or "" matches everything. Fails with VMM_EXIT_USAGE naming the bad word. */
int trace_filter_parse(struct trace_filter *filter, const char *spec, struct vmm_error *err);

bool trace_filter_match(const struct trace_filter *filter, const struct exit_record *rec);

#endif
