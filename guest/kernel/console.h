/* SPDX-License-Identifier: MIT */
/*
 * Kernel console output (to the serial port) and the way the kernel ends the run.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdnoreturn.h>

void kputs(const char *text); /* no newline added */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ends the run with exit status status & 0xff: minivmm's exit port first, then QEMU's
 * isa-debug-exit (where the host sees (status << 1) | 1), then halts for good. */
noreturn void machine_exit(unsigned status);

#endif
