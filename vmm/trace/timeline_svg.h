/* SPDX-License-Identifier: MIT */
/*
 * --timeline FILE.svg: the first exits of a run drawn like a textbook figure of VMX transitions.
 * Two lanes, guest mode (VMX non-root / SVM guest) above host mode (root: KVM + minivmm); per
 * exit a guest bar, a red "VM exit" arrow down with its cause, a host bar for the handling and a
 * blue "VM entry" arrow back up. Guest stretches last from a microsecond to many milliseconds
 * while exits take microseconds, so a linear axis would show nothing: every exit gets a column
 * of the same width and the real durations are printed as labels (the figure says so).
 *
 * The file is self-contained (inline style, generic font families) and opens in any browser;
 * hovering a column shows the whole record.
 */
#ifndef MINIVMM_TRACE_TIMELINE_SVG_H
#define MINIVMM_TRACE_TIMELINE_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "trace/exit_record.h"
#include "util/vmm_error.h"

/* How many exits --timeline draws unless told otherwise (the figure grows 160 px per exit). */
#define TIMELINE_DEFAULT_EXITS 50

/* Draws records[0..count) in the order given (the caller passes the first N, in time order),
 * creating or truncating path. The host stretch of a record ends at the t_run of the next record
 * of the same vCPU in the array, or at its t_done if there is none. count may be 0 (the figure
 * then says "no exits"). Returns 0, or -errno with err set to "cannot write timeline file 'PATH':
 * <strerror>" (VMM_EXIT_USAGE for a bad path, VMM_EXIT_HOST_RESOURCES when the host is out of
 * space or descriptors). */
int timeline_svg_write(const char *path, const struct exit_record *records, size_t count,
		       struct vmm_error *err);

/* The same in two steps, so the file can be created before the run (the sandbox forbids opening
 * files later): timeline_svg_open() returns NULL with err set (and errno) on failure;
 * timeline_svg_write_file() draws into f and closes it (path is for messages). */
FILE *timeline_svg_open(const char *path, struct vmm_error *err);
int timeline_svg_write_file(FILE *f, const char *path, const struct exit_record *records,
			    size_t count, struct vmm_error *err);

#endif
