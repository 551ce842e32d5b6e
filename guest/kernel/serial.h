/* SPDX-License-Identifier: MIT */
/*
 * Driver for the 16550 UART at COM1, the kernel's only console: polled output, input polled or
 * interrupt-driven (interrupts.c).
 */
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include <stddef.h>

/* Sets the UART up (FIFO mode) and keeps the input that arrived before in the input buffer. */
void serial_init(void);

/* Moves every byte the UART has received into the input buffer (what does not fit is dropped).
 * Called by the COM1 interrupt, with interrupts off. */
void serial_receive(void);

/* Takes up to len bytes from the input buffer; 0 if it is empty. */
size_t serial_read_buffered(char *buf, size_t len);

/* Without interrupts (--no-irqchip): the input buffer's bytes if any, otherwise polls the UART
 * until at least one byte has arrived and takes what is there, up to len. */
size_t serial_read_polled(char *buf, size_t len);

/* Writes len bytes, turning each "\n" into "\r\n" (a serial terminal needs the carriage return). */
void serial_write(const char *text, size_t len);

/* The same for a NUL-terminated string, without measuring it first (a strlen() pass would be
 * three more emulated instructions per byte). */
void serial_write_string(const char *text);

#endif
