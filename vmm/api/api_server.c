/* SPDX-License-Identifier: MIT */
#include "api/api_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api_request.h"
#include "api/api_socket_file.h"
#include "api/api_vm.h"
#include "host/quiet_thread.h"
#include "machine/vm.h"
#include "util/monotonic_clock.h"

struct api_client {
	int fd; /* -1: a free slot */
	char *in;
	size_t in_len; /* bytes of an unfinished line */
	char *out;
	size_t out_len, out_cap;
};

struct api_server {
	struct api_socket_file file;
	int wake[2]; /* wakes the server thread: an event, or the end */
	atomic_bool quit;
	atomic_uint reboots; /* reboot events not yet sent */
	bool power_off_told; /* the powered_off event went out (server thread only) */
	pthread_t thread;
	bool thread_running;
	struct api_client clients[API_MAX_CLIENTS];
	struct api_vm vm;
	struct api_backend backend;
	/* Events a command raised (paused, resumed): sent after its reply. */
	bool in_request;
	char *deferred[4];
	unsigned deferred_count;
};

int api_server_listen_fd(const struct api_server *s)
{
	return s->file.listen_fd;
}

int api_server_open(struct api_server **out, const char *path, bool janitor, struct vmm_error *err)
{
	*out = NULL;
	struct api_server *s = calloc(1, sizeof *s);
	if (!s)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	s->wake[0] = s->wake[1] = -1;
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	atomic_init(&s->quit, false);
	atomic_init(&s->reboots, 0);
	int ret = api_socket_file_open(&s->file, path, janitor, err);
	if (ret) {
		free(s);
		return ret;
	}
	if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				    "--api-sock: pipe failed: %s", strerror(errno));
		api_socket_file_close(&s->file);
		free(s);
		return ret;
	}
	signal(SIGPIPE, SIG_IGN); /* a client gone: write fails with EPIPE */
	*out = s;
	return 0;
}

static void client_close(struct api_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	*c = (struct api_client){.fd = -1};
}

/* Writes what the client can take now without waiting. Returns false if it is gone. */
static bool client_flush(struct api_client *c)
{
	while (c->out_len > 0) {
		ssize_t n = write(c->fd, c->out, c->out_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	return true;
}

/* Queues one line for the client; drops a client that has not read API_MAX_PENDING_OUT. */
static void client_send(struct api_client *c, const char *line)
{
	if (c->fd < 0 || !line)
		return;
	size_t len = strlen(line) + 1;
	if (c->out_len + len > API_MAX_PENDING_OUT) {
		client_close(c); /* it never reads: it cannot be told */
		return;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + len)
			cap *= 2;
		char *grown = realloc(c->out, cap);
		if (!grown) {
			client_close(c);
			return;
		}
		c->out = grown;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, len - 1);
	c->out[c->out_len + len - 1] = '\n';
	c->out_len += len;
	if (!client_flush(c))
		client_close(c);
}

static void emit(void *server, json_t *event)
{
	struct api_server *s = server;
	char *line = event ? json_dumps(event, API_JSON_FLAGS) : NULL;
	json_decref(event);
	if (line && s->in_request && s->deferred_count < 4) {
		s->deferred[s->deferred_count++] = line;
		return;
	}
	for (unsigned i = 0; line && i < API_MAX_CLIENTS; i++)
		client_send(&s->clients[i], line);
	free(line);
}

/* "powered_off" as soon as the stop request says the guest asked for it (the server thread is
 * woken by the request's raise, on_vm_event), once; not for other stops. */
static void tell_power_off(struct api_server *s)
{
	struct vm *vm = s->vm.vm;
	if (s->power_off_told || !stop_reason_is_guest_power_off(atomic_load(&vm->stop.reason)))
		return;
	s->power_off_told = true;
	emit(s, json_pack("{s:s, s:i}", "event", "powered_off", "status", vm->stop.status));
}

/* On the thread where the event happened (a vCPU's for a reboot or the guest's power-off, any
 * thread for a stop): must not block. */
static void on_vm_event(void *ctx, enum vm_event event)
{
	struct api_server *s = ctx;
	if (event == VM_EVENT_REBOOT)
		atomic_fetch_add(&s->reboots, 1);
	ssize_t ignored = write(s->wake[1], "e", 1); /* full pipe: a wake-up is pending anyway */
	(void)ignored;
}

static void accept_clients(struct api_server *s)
{
	for (;;) {
		int fd = accept4(s->file.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN: no more; anything else: try at the next poll */
		struct api_client *c = NULL;
		for (unsigned i = 0; i < API_MAX_CLIENTS && !c; i++)
			if (s->clients[i].fd < 0)
				c = &s->clients[i];
		if (!c || !(c->in = malloc(API_MAX_REQUEST + 1))) {
			char *line = api_error_reply("too many clients (at most 8): close another "
						     "connection and retry");
			if (line) {
				size_t n = strlen(line);
				line[n] = '\n'; /* replaces the NUL: written by length */
				ssize_t ignored = write(fd, line, n + 1);
				(void)ignored;
			}
			free(line);
			close(fd);
			continue;
		}
		c->fd = fd;
	}
}

static void handle_line(struct api_server *s, struct api_client *c, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return; /* an empty line asks nothing */
	s->in_request = true;
	char *reply = api_handle_request(&s->backend, line, len);
	s->in_request = false;
	client_send(c, reply ? reply : "{\"ok\":false,\"error\":\"out of memory in minivmm\"}");
	free(reply);
	for (unsigned i = 0; i < s->deferred_count; i++) {
		for (unsigned k = 0; k < API_MAX_CLIENTS; k++)
			client_send(&s->clients[k], s->deferred[i]);
		free(s->deferred[i]);
	}
	s->deferred_count = 0;
}

/* Reads what the client sent and answers each complete line. */
static void client_read(struct api_server *s, struct api_client *c)
{
	ssize_t n = read(c->fd, c->in + c->in_len, API_MAX_REQUEST + 1 - c->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* gone, perhaps in the middle of a line: forget it */
		client_close(c);
		return;
	}
	c->in_len += (size_t)n;
	size_t start = 0;
	for (size_t i = c->in_len - (size_t)n; i < c->in_len && c->fd >= 0; i++)
		if (c->in[i] == '\n') {
			handle_line(s, c, c->in + start, i - start);
			start = i + 1;
		}
	if (c->fd < 0)
		return; /* dropped while answering */
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->in_len > API_MAX_REQUEST) {
		char *reply =
		    api_error_reply("request over 65536 bytes without a newline: send one "
				    "JSON object per line; closing this connection");
		client_send(c, reply);
		free(reply);
		client_close(c);
	}
}

static void *server_main(void *arg)
{
	struct api_server *s = arg;
	struct pollfd fds[2 + API_MAX_CLIENTS];
	while (!atomic_load(&s->quit)) {
		nfds_t n = 0;
		fds[n++] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
		fds[n++] = (struct pollfd){.fd = s->file.listen_fd, .events = POLLIN};
		for (unsigned i = 0; i < API_MAX_CLIENTS; i++) {
			struct api_client *c = &s->clients[i];
			fds[n++] = (struct pollfd){
			    .fd = c->fd, .events = (short)(POLLIN | (c->out_len ? POLLOUT : 0))};
		}
		if (poll(fds, n, -1) < 0)
			continue; /* EINTR */
		if (fds[0].revents) {
			char drain[64];
			while (read(s->wake[0], drain, sizeof drain) > 0)
				;
			/* A client whose connect() returned before the event was caused expects
			 * it, though the connection may still wait in the backlog (seen under
			 * load: the reboot event went to nobody). */
			accept_clients(s);
			unsigned reboots = atomic_exchange(&s->reboots, 0);
			if (reboots)
				emit(s, json_pack("{s:s, s:i}", "event", "reboot", "count",
						  (int)__atomic_load_n(&s->vm.vm->reboot.count,
								       __ATOMIC_RELAXED)));
			tell_power_off(s);
		}
		if (fds[1].revents & POLLIN)
			accept_clients(s);
		for (unsigned i = 0; i < API_MAX_CLIENTS; i++) {
			struct api_client *c = &s->clients[i];
			short ev = fds[2 + i].revents;
			if (c->fd < 0 || c->fd != fds[2 + i].fd || !ev)
				continue;
			if ((ev & POLLOUT) && !client_flush(c)) {
				client_close(c);
				continue;
			}
			if (ev & (POLLIN | POLLHUP | POLLERR))
				client_read(s, c);
		}
	}
	return NULL;
}

int api_server_start(struct api_server *s, struct vm *vm, struct vmm_error *err)
{
	/* jansson seeds its hash tables from /dev/urandom on first use: now, while open is
	 * still allowed, not under the sandbox. */
	json_object_seed(0);
	api_vm_init(&s->vm, vm);
	s->vm.emit = emit;
	s->vm.server = s;
	s->backend = api_vm_backend(&s->vm);
	vm->on_event = on_vm_event;
	vm->on_event_ctx = s;
	int r = quiet_thread_create(&s->thread, NULL, server_main, s);
	if (r)
		return vmm_error_set(err, -r, VMM_EXIT_HOST_RESOURCES,
				     "--api-sock: cannot start the socket's thread: %s",
				     strerror(r));
	s->thread_running = true;
	return 0;
}

static uint64_t now_ms(void)
{
	return monotonic_ns() / 1000000u;
}

/* Gives every client up to a second in all to take what is queued for it. */
static void flush_all(struct api_server *s)
{
	uint64_t deadline = now_ms() + 1000;
	for (;;) {
		struct pollfd fds[API_MAX_CLIENTS];
		nfds_t n = 0;
		for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
			if (s->clients[i].fd >= 0 && s->clients[i].out_len)
				fds[n++] =
				    (struct pollfd){.fd = s->clients[i].fd, .events = POLLOUT};
		uint64_t now = now_ms();
		if (n == 0 || now >= deadline)
			return;
		if (poll(fds, n, (int)(deadline - now)) <= 0)
			continue;
		for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
			if (s->clients[i].fd >= 0 && s->clients[i].out_len &&
			    !client_flush(&s->clients[i]))
				client_close(&s->clients[i]);
	}
}

void api_server_finish(struct api_server *s)
{
	if (!s)
		return;
	struct vm *vm = s->vm.vm;
	if (s->thread_running) {
		atomic_store(&s->quit, true);
		ssize_t ignored = write(s->wake[1], "q", 1);
		(void)ignored;
		pthread_join(s->thread, NULL);
		vm->on_event = NULL;
		accept_clients(s); /* connected before the end: they are told it too */
		/* A reboot just before the end is still told. */
		if (atomic_exchange(&s->reboots, 0))
			emit(s, json_pack("{s:s, s:i}", "event", "reboot", "count",
					  (int)vm->reboot.count));
		enum stop_reason reason = atomic_load(&vm->stop.reason);
		tell_power_off(s); /* if the server thread had not yet */
		emit(s, json_pack("{s:s, s:i, s:s}", "event", "stopped", "status", vm->stop.status,
				  "reason", stop_reason_name(reason)));
		flush_all(s);
		api_vm_finish(&s->vm);
	}
	for (unsigned i = 0; i < API_MAX_CLIENTS; i++)
		client_close(&s->clients[i]);
	api_socket_file_close(&s->file);
	close(s->wake[0]);
	close(s->wake[1]);
	free(s);
}
