/* SPDX-License-Identifier: MIT */
/*
 * Polled driver for the 8250/16550 UART at COM1, the kernel's only console.
 */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include <stddef.h>

void serial_init(void);

/* Writes len bytes, turning each "\n" into "\r\n" (a serial terminal needs the carriage return). */
void serial_write(const char *text, size_t len);

/* The same for a NUL-terminated string, without measuring it first (a strlen() pass would be
 * three more emulated instructions per byte). */
void serial_write_string(const char *text);

#endif
