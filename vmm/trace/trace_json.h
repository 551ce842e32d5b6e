/* SPDX-License-Identifier: MIT */
/*
 * --trace-json FILE: exit records as a Chrome Trace Event Format file (the "JSON Object Format",
 * {"traceEvents":[...], ...}), which Perfetto UI (ui.perfetto.dev) and chrome://tracing open.
 *
 * Each vCPU gets two tracks, guest (VMX non-root) above host (root: KVM + minivmm), and each
 * record becomes two complete events: the guest stretch [t_run, t_exit) and the host stretch
 * [t_exit, next t_run) named after the exit ("IO out 0x3f8"). The writer streams: records go
 * straight into a large stdio buffer, so a million of them cost no memory beyond that buffer.
 */
#ifndef MINIVMM_TRACE_TRACE_JSON_H
#define MINIVMM_TRACE_TRACE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "trace/exit_record.h"
#include "util/vmm_error.h"

struct trace_json;

/* Creates (truncates) path and writes the header. Returns 0, or -errno with err set to
 * "cannot write trace file 'PATH': <strerror>" (VMM_EXIT_USAGE when the path is the problem,
 * VMM_EXIT_HOST_RESOURCES when the host is out of memory, descriptors or space). */
int trace_json_open(struct trace_json **out, const char *path, struct vmm_error *err);

/* Appends the two events of rec. next_t_run is the t_run of the following record of the same
 * vCPU, or rec->t_done for its last record. Write errors are remembered for trace_json_close(). */
void trace_json_add(struct trace_json *tj, const struct exit_record *rec, uint64_t next_t_run);

/* Writes the track names and the closing brackets, flushes, closes and frees tj (also on error).
 * Returns 0, or -errno with err set if any write failed (disk full shows up here). */
int trace_json_close(struct trace_json *tj, struct vmm_error *err);

/*
 * Shared with the timeline so both name an exit the same way.
 */

/* "IO out 0x3f8", "MMIO write 0xd0000000", "HLT": the exit in a few words. Returns the length
 * snprintf would have written. */
int trace_exit_title(const struct exit_record *rec, char *buf, size_t size);

/* The byte a guest wrote to the UART if it is printable ASCII (so worth showing), else -1. */
int trace_exit_uart_char(const struct exit_record *rec);

/* True if the record is a port or MMIO access (has addr, size, data and device). */
int trace_exit_is_access(const struct exit_record *rec);

#endif
