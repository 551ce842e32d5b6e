/* SPDX-License-Identifier: MIT */
/* The text trace: one line per exit record, for people (minivmm run --trace). */
#ifndef MINIVMM_TRACE_TEXT_H
#define MINIVMM_TRACE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "trace/exit_record.h"

/* "2.1us", "845ns", "3.250ms", "1.200s" */
void format_duration(char *buf, size_t size, uint64_t ns);

/* What the exit was about: "out 0x3f8 1B 0x48 'H'", "read 0xd0000000 4B 0xffffffff", "". */
void format_exit_detail(char *buf, size_t size, const struct exit_record *rec);

/* The whole line, without a newline:
 * "#   412  +0.821ms  IO    out 0x3f8 1B 0x48 'H'    uart8250   guest 2.1us  vmm 0.4us  (+3
 * in-kernel)" */
void format_exit_line(char *buf, size_t size, const struct exit_record *rec);

#endif
