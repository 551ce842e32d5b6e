/* SPDX-License-Identifier: MIT */
#include "host/console_output.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/monotonic_wait.h"

/* At most PIPE_BUF per write: after POLLOUT, a pipe takes that much without blocking, so the
 * writer never sits in write() where console_output_stop() could not reach it. */
#define WRITE_CHUNK	 4096
#define WRITER_POLL_MS	 100
#define WRITER_LINGER_MS 2 /* the most a partial line (a prompt) waits to reach the fd */

void console_output_init(struct console_output *out, int fd)
{
	memset(out, 0, sizeof *out);
	out->fd = fd;
}

/* Drops everything still in the ring (lock held). */
static void drop_ring(struct console_output *out)
{
	out->dropped += out->head - out->tail;
	out->tail = out->head;
	pthread_cond_broadcast(&out->room_ready);
}

static void *writer_main(void *arg)
{
	struct console_output *out = arg;
	unsigned idle_ms = 0; /* while closing: how long the reader has taken nothing */
	bool just_wrote = false;
	pthread_mutex_lock(&out->lock);
	for (;;) {
		if (out->head == out->tail && !out->closing && just_wrote) {
			/* After writing, linger awake a moment: bytes arriving meanwhile are taken
			 * at the timeout, so the vCPU need not wake this thread for each one (a
			 * futex wake per byte cost microseconds on every UART write). Not before
			 * the first byte: that one is woken for at once. */
			struct timespec linger;
			monotonic_deadline_after_ms(&linger, WRITER_LINGER_MS);
			while (out->head == out->tail && !out->closing &&
			       pthread_cond_timedwait(&out->data_ready, &out->lock, &linger) !=
				   ETIMEDOUT)
				;
		}
		just_wrote = false;
		while (out->head == out->tail && !out->closing) {
			out->writer_asleep = true; /* now the producer must wake us */
			pthread_cond_wait(&out->data_ready, &out->lock);
		}
		out->writer_asleep = false;
		if (out->head == out->tail)
			break; /* closing, and all written */
		size_t start = (size_t)(out->tail % CONSOLE_OUTPUT_RING_BYTES);
		size_t len = (size_t)(out->head - out->tail);
		if (len > CONSOLE_OUTPUT_RING_BYTES - start)
			len = CONSOLE_OUTPUT_RING_BYTES - start;
		if (len > WRITE_CHUNK)
			len = WRITE_CHUNK;
		bool closing = out->closing;
		pthread_mutex_unlock(&out->lock);

		/* Only this thread moves tail, so the bytes at start stay put while unlocked. */
		struct pollfd pfd = {.fd = out->fd, .events = POLLOUT};
		int ready = poll(&pfd, 1, WRITER_POLL_MS);
		ssize_t n = 0;
		int error = 0;
		if (ready > 0) {
			n = write(out->fd, out->ring + start, len);
			error = n < 0 ? errno : 0;
		}

		pthread_mutex_lock(&out->lock);
		if (n > 0) {
			just_wrote = true;
			out->tail += (uint64_t)n;
			out->written += (uint64_t)n;
			out->stalled = false;
			idle_ms = 0;
			pthread_cond_broadcast(&out->room_ready);
		} else if (n < 0 && error != EINTR && error != EAGAIN) {
			out->broken = true; /* EPIPE (SIGPIPE is ignored), EIO, ENOSPC... */
			drop_ring(out);
		} else if (ready == 0 && closing &&
			   (idle_ms += WRITER_POLL_MS) >= CONSOLE_OUTPUT_FLUSH_MS) {
			drop_ring(out); /* the reader stopped reading: do not hang the exit */
		}
	}
	pthread_mutex_unlock(&out->lock);
	return NULL;
}

int console_output_start(struct console_output *out)
{
	pthread_mutex_init(&out->lock, NULL);
	monotonic_cond_init(&out->data_ready); /* deadlines ignore clock changes */
	monotonic_cond_init(&out->room_ready);
	out->ring = malloc(CONSOLE_OUTPUT_RING_BYTES);
	if (!out->ring)
		return -ENOMEM;
	out->head = out->tail = 0;
	out->closing = out->stalled = out->broken = false;
	int r = pthread_create(&out->thread, NULL, writer_main, out);
	if (r) {
		free(out->ring);
		out->ring = NULL;
		return -r;
	}
	out->running = true;
	return 0;
}

void console_output_stop(struct console_output *out)
{
	if (!out->running)
		return;
	pthread_mutex_lock(&out->lock);
	out->closing = true;
	pthread_cond_signal(&out->data_ready);
	pthread_mutex_unlock(&out->lock);
	pthread_join(out->thread, NULL);
	out->running = false;
	free(out->ring);
	out->ring = NULL;
	pthread_cond_destroy(&out->data_ready);
	pthread_cond_destroy(&out->room_ready);
	pthread_mutex_destroy(&out->lock);
}

static void write_directly(struct console_output *out, uint8_t byte)
{
	for (;;) {
		ssize_t r = write(out->fd, &byte, 1);
		if (r == 1) {
			out->written++;
			return;
		}
		if (r < 0 && errno == EINTR)
			continue;
		out->dropped++; /* EPIPE, EAGAIN, a full disk: never stall the caller */
		return;
	}
}

void console_output_put(struct console_output *out, uint8_t byte)
{
	if (!out->running) {
		write_directly(out, byte);
		return;
	}
	pthread_mutex_lock(&out->lock);
	bool full = out->head - out->tail == CONSOLE_OUTPUT_RING_BYTES;
	if (full && !out->broken && !out->stalled) {
		struct timespec deadline;
		monotonic_deadline_after_ms(&deadline, CONSOLE_OUTPUT_STALL_MS);
		while (full && !out->broken) {
			if (pthread_cond_timedwait(&out->room_ready, &out->lock, &deadline) ==
			    ETIMEDOUT) {
				out->stalled = out->head - out->tail == CONSOLE_OUTPUT_RING_BYTES;
				break;
			}
			full = out->head - out->tail == CONSOLE_OUTPUT_RING_BYTES;
		}
		full = out->head - out->tail == CONSOLE_OUTPUT_RING_BYTES;
	}
	if (out->broken || full) {
		out->dropped++;
	} else {
		out->ring[out->head++ % CONSOLE_OUTPUT_RING_BYTES] = byte;
		/* Wake the writer only when it sleeps or when the ring fills up; otherwise it picks
		 * the bytes up when its linger times out, at most WRITER_LINGER_MS later. (A wake
		 * at every newline cost the vCPU 20-90 us per line here: a futex wake of a thread
		 * on another CPU.) */
		if (out->writer_asleep || out->head - out->tail >= CONSOLE_OUTPUT_RING_BYTES / 2)
			pthread_cond_signal(&out->data_ready);
	}
	pthread_mutex_unlock(&out->lock);
}
