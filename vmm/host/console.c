/* SPDX-License-Identifier: MIT */
#include "host/console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

void console_init(struct console *con, int in_fd, int out_fd)
{
	memset(con, 0, sizeof *con);
	con->in_fd = in_fd;
	con->out_fd = out_fd;
	console_output_init(&con->output, out_fd);
	con->wake_pipe[0] = con->wake_pipe[1] = -1;
}

unsigned console_filter_input(bool *escape_pending, const uint8_t *in, unsigned count, uint8_t *out,
			      bool *quit, bool *snapshot)
{
	unsigned n = 0;
	*quit = false;
	*snapshot = false;
	for (unsigned i = 0; i < count; i++) {
		uint8_t c = in[i];
		if (*escape_pending) {
			*escape_pending = false;
			if (c == 'x' || c == 'X') {
				*quit = true;
				return n;
			}
			if (c == CONSOLE_ESCAPE_CHAR)
				out[n++] = c;
			if (c == 's' || c == 'S')
				*snapshot = true; /* after this read's bytes reach the guest */
			/* Any other key after Ctrl-A is swallowed, as QEMU's mux does. */
			continue;
		}
		if (c == CONSOLE_ESCAPE_CHAR)
			*escape_pending = true;
		else
			out[n++] = c;
	}
	return n;
}

/* Waits up to timeout_ms for input; returns false when asked to stop. */
static bool wait_for_input(struct console *con, int timeout_ms, bool want_input)
{
	struct pollfd fds[2] = {{.fd = con->wake_pipe[0], .events = POLLIN},
				{.fd = want_input ? con->in_fd : -1, .events = POLLIN}};
	for (;;) {
		int r = poll(fds, 2, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		return !(r > 0 && fds[0].revents);
	}
}

static void *console_input_thread(void *arg)
{
	struct console *con = arg;
	bool escape_pending = false;
	uint8_t in[256], filtered[256];

	while (wait_for_input(con, -1, true)) {
		ssize_t got = read(con->in_fd, in, sizeof in);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			break; /* EOF or error: the guest just gets no more input */
		bool quit, snapshot;
		unsigned n = console_filter_input(&escape_pending, in, (unsigned)got, filtered,
						  &quit, &snapshot);
		/* Hand everything over, waiting while the guest's FIFO is full. */
		for (unsigned done = 0; done < n;) {
			done += con->deliver(con->deliver_ctx, filtered + done, n - done);
			if (done < n && !wait_for_input(con, 5, false))
				return NULL;
		}
		if (snapshot && con->snapshot)
			con->snapshot(con->snapshot_ctx);
		if (quit) {
			con->quit(con->quit_ctx);
			break;
		}
	}
	return NULL;
}

static void console_enter_raw_mode(struct console *con)
{
	/* Only a terminal we own: changing a background job's terminal would stop us (SIGTTOU). */
	if (!isatty(con->in_fd) || tcgetpgrp(con->in_fd) != getpgrp())
		return;
	if (tcgetattr(con->in_fd, &con->saved_termios) < 0)
		return;
	struct termios raw = con->saved_termios;
	/* Input raw (no line editing, echo or signal keys); output processing stays on so the
	 * guest's "\r\n" and the VMM's messages look normal. */
	raw.c_iflag &=
	    ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(con->in_fd, TCSAFLUSH, &raw) == 0)
		con->raw_mode = true;
}

void console_set_receiver(struct console *con, console_deliver_fn deliver, void *ctx)
{
	con->deliver = deliver;
	con->deliver_ctx = ctx;
}

void console_set_snapshot_key(struct console *con, console_quit_fn snapshot, void *ctx)
{
	con->snapshot = snapshot;
	con->snapshot_ctx = ctx;
}

/* /dev/null (mem(4): character device 1, 3) can only say end-of-file, as an input thread
 * would find at its first read and then leave: scripts and benchmarks start no thread for it. */
static bool input_is_dev_null(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
	       minor(st.st_rdev) == 3;
}

int console_start(struct console *con, console_quit_fn quit, void *quit_ctx)
{
	con->quit = quit;
	con->quit_ctx = quit_ctx;
	int out_err = console_output_start(&con->output);
	if (out_err)
		return out_err;
	if (con->in_fd < 0 || !con->deliver || input_is_dev_null(con->in_fd))
		return 0;
	if (isatty(con->in_fd) && tcgetpgrp(con->in_fd) != getpgrp())
		return 0; /* a background job must not read the terminal (SIGTTIN) */
	if (pipe2(con->wake_pipe, O_CLOEXEC) < 0)
		return -errno;
	console_enter_raw_mode(con);
	int r = pthread_create(&con->thread, NULL, console_input_thread, con);
	if (r) {
		console_stop(con);
		return -r;
	}
	con->thread_running = true;
	return 0;
}

void console_stop(struct console *con)
{
	if (con->thread_running) {
		ssize_t ignored = write(con->wake_pipe[1], "", 1);
		(void)ignored;
		pthread_join(con->thread, NULL);
		con->thread_running = false;
	}
	for (int i = 0; i < 2; i++) {
		if (con->wake_pipe[i] >= 0)
			close(con->wake_pipe[i]);
		con->wake_pipe[i] = -1;
	}
	if (con->raw_mode) {
		tcsetattr(con->in_fd, TCSAFLUSH, &con->saved_termios);
		con->raw_mode = false;
	}
	/* Last: the guest's output is flushed before minivmm's own report goes to stderr. */
	console_output_stop(&con->output);
	con->output_bytes = con->output.written;
	con->output_dropped = con->output.dropped;
}

void console_write_byte(struct console *con, uint8_t byte)
{
	console_output_put(&con->output, byte);
}
