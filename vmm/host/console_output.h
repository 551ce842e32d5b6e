/* SPDX-License-Identifier: MIT */
/*
 * Guest console output, decoupled from stdout: the vCPU puts bytes in a ring and a writer thread
 * moves them to the output fd. A reader that is slow, stuck or gone can therefore never stall the
 * vCPU for long (and --timeout and signals keep working):
 * - ring full and the writer making progress: the vCPU waits for room (a slow reader slows the
 *   guest, as a real serial line would), at most CONSOLE_OUTPUT_STALL_MS per wait;
 * - no progress for that long: the reader is stuck; bytes are dropped and counted (never waited
 *   for again) until the writer gets a write through;
 * - the fd fails (EPIPE: stdout closed): every later byte is dropped and counted.
 * At the end, console_output_stop() flushes what is left while the reader keeps taking bytes,
 * giving up after CONSOLE_OUTPUT_FLUSH_MS without progress. Order is always kept.
 *
 * Before console_output_start() (unit tests, fuzz targets), bytes are written directly.
 */
#ifndef MINIVMM_CONSOLE_OUTPUT_H
#define MINIVMM_CONSOLE_OUTPUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_OUTPUT_RING_BYTES (64u * 1024)
#define CONSOLE_OUTPUT_STALL_MS	  200
#define CONSOLE_OUTPUT_FLUSH_MS	  2000

struct console_output {
	int fd;
	pthread_mutex_t lock;
	pthread_cond_t data_ready; /* producer -> writer: bytes or closing */
	pthread_cond_t room_ready; /* writer -> producer: bytes left the ring */
	uint8_t *ring;		   /* CONSOLE_OUTPUT_RING_BYTES, while the writer runs */
	uint64_t head, tail;	   /* bytes put / bytes taken; head - tail are in the ring */
	bool running, closing;
	bool stalled;	    /* a wait for room timed out: drop instead of waiting until progress */
	bool broken;	    /* the fd failed: drop everything */
	bool writer_asleep; /* the writer waits without a timeout: a new byte must wake it */
	pthread_t thread;
	uint64_t written; /* bytes that reached the fd */
	uint64_t dropped; /* bytes lost: fd failed, reader stuck, or unflushed at the end */
};

void console_output_init(struct console_output *out, int fd);

/* Starts the writer thread. Returns 0 or a negative errno (then bytes are written directly). */
int console_output_start(struct console_output *out);

/* Flushes (bounded, see above) and joins the writer. Safe to call twice or unstarted. */
void console_output_stop(struct console_output *out);

/* One byte of guest output; called on a vCPU thread. */
void console_output_put(struct console_output *out, uint8_t byte);

#endif
