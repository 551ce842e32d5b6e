/* SPDX-License-Identifier: MIT */
/*
 * The host side of the guest's serial console: guest output to stdout, stdin to the guest.
 *
 * When stdin is a terminal in the foreground it is put in raw mode (keys reach the guest as
 * typed) and always restored. As in QEMU, Ctrl-A is an escape: Ctrl-A x quits, Ctrl-A s saves a
 * snapshot, Ctrl-A Ctrl-A sends a literal Ctrl-A. Input is read by a thread of its own so Ctrl-A x
 * works even while the guest never looks at its UART.
 */
#ifndef MINIVMM_CONSOLE_H
#define MINIVMM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "host/console_output.h"

#define CONSOLE_ESCAPE_CHAR 0x01 /* Ctrl-A */

/* Offers bytes to the guest; returns how many were taken (the rest are offered again later). */
typedef unsigned (*console_deliver_fn)(void *ctx, const uint8_t *bytes, unsigned count);
typedef void (*console_quit_fn)(void *ctx);

struct console {
	int in_fd, out_fd;
	bool raw_mode; /* we changed the terminal and must restore it */
	struct termios saved_termios;
	bool thread_running;
	pthread_t thread;
	int wake_pipe[2];	    /* tells the input thread to stop */
	console_deliver_fn deliver; /* set by the device that owns the console (COM1) */
	void *deliver_ctx;
	console_quit_fn quit; /* set by the VM: Ctrl-A x */
	void *quit_ctx;
	console_quit_fn snapshot; /* Ctrl-A s, on the input thread; NULL: the key does nothing */
	void *snapshot_ctx;
	struct console_output output; /* the ring and writer thread behind console_write_byte */
	uint64_t output_bytes;	      /* filled in by console_stop() */
	uint64_t output_dropped;      /* stdout closed, failing or stuck */
};

void console_init(struct console *con, int in_fd, int out_fd);

/* Connects the guest side: where typed bytes go. Without it, input is not read at all. */
void console_set_receiver(struct console *con, console_deliver_fn deliver, void *ctx);

/* Starts the output writer (console_output.h), the input thread (if in_fd >= 0 and a receiver
 * is set) and raw mode (if in_fd is a foreground terminal). quit is called on Ctrl-A x. */
int console_start(struct console *con, console_quit_fn quit, void *quit_ctx);

/* Ctrl-A s calls snapshot(ctx) on the input thread (snapshot/snapshot.h), before console_start. */
void console_set_snapshot_key(struct console *con, console_quit_fn snapshot, void *ctx);

/* Stops the input thread, flushes the output, restores the terminal. Safe to call twice. */
void console_stop(struct console *con);

/* Queues one byte of guest output for out_fd; never blocks for long (console_output.h). */
void console_write_byte(struct console *con, uint8_t byte);

/* The byte-level Ctrl-A state machine, separate so it can be unit-tested. Returns the number of
 * bytes placed in out (at most count); *quit is set on Ctrl-A x, *snapshot on Ctrl-A s. */
unsigned console_filter_input(bool *escape_pending, const uint8_t *in, unsigned count, uint8_t *out,
			      bool *quit, bool *snapshot);

#endif
