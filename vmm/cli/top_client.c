/* SPDX-License-Identifier: MIT */
#include "cli/top_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int top_connect(struct top_conn *c, const char *path, struct vmm_error *err)
{
	c->len = 0;
	c->fd = -1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof addr.sun_path)
		return vmm_error_set(err, -ENAMETOOLONG, VMM_EXIT_USAGE,
				     "socket path too long (at most %zu bytes)",
				     sizeof addr.sun_path - 1);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES, "socket: %s",
				     strerror(errno));
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int e = errno;
		close(fd);
		const char *fix =
		    e == ENOENT ? "start the VM with minivmm run --api-sock PATH"
		    : e == ECONNREFUSED
			? "nothing listens there (a stale socket): is the VM still running?"
		    : e == EACCES ? "the socket belongs to another user"
				  : "check the path";
		return vmm_error_set(err, -e,
				     e == ENOENT || e == ECONNREFUSED ? VMM_EXIT_USAGE
								      : VMM_EXIT_NO_PERMISSION,
				     "cannot connect to %s: %s: %s", path, strerror(e), fix);
	}
	c->fd = fd;
	return 0;
}

void top_note_event(struct top_conn *c, json_t *msg)
{
	const char *name = json_string_value(json_object_get(msg, "event"));
	if (!name)
		return;
	json_t *status = json_object_get(msg, "status");
	if (json_is_integer(status))
		snprintf(c->last_event, sizeof c->last_event, "%s (status %d)", name,
			 (int)json_integer_value(status));
	else
		snprintf(c->last_event, sizeof c->last_event, "%s", name);
	if (strcmp(name, "stopped") == 0) {
		c->stopped = true;
		c->stop_status = (int)json_integer_value(status);
	}
}

json_t *top_read_message(struct top_conn *c, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			json_t *msg = json_loadb(c->buf, (size_t)(nl - c->buf), 0, NULL);
			c->len -= (size_t)(nl + 1 - c->buf);
			memmove(c->buf, nl + 1, c->len);
			if (msg)
				return msg;
			continue;
		}
		if (c->len == sizeof c->buf)
			c->len = 0; /* a line longer than any reply: drop it */
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		if (poll(&p, 1, timeout_ms) <= 0)
			return NULL;
		ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (n <= 0) {
			c->stopped = true; /* the VM is gone */
			return NULL;
		}
		c->len += (size_t)n;
	}
}

json_t *top_ask(struct top_conn *c, const char *request)
{
	size_t len = strlen(request);
	if (write(c->fd, request, len) != (ssize_t)len || write(c->fd, "\n", 1) != 1) {
		c->stopped = true;
		return NULL;
	}
	for (;;) {
		json_t *msg = top_read_message(c, 5000);
		if (!msg)
			return NULL;
		if (json_object_get(msg, "event")) {
			top_note_event(c, msg);
			json_decref(msg);
			continue;
		}
		return msg;
	}
}

bool top_take_sample(struct top_conn *c, struct top_sample *s)
{
	s->status = top_ask(c, "{\"cmd\":\"status\"}");
	s->stats = s->status ? top_ask(c, "{\"cmd\":\"stats\"}") : NULL;
	return s->status && s->stats && json_is_true(json_object_get(s->status, "ok")) &&
	       json_is_true(json_object_get(s->stats, "ok"));
}

void top_drop_sample(struct top_sample *s)
{
	json_decref(s->status);
	json_decref(s->stats);
	s->status = s->stats = NULL;
}
