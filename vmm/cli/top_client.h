/* SPDX-License-Identifier: MIT */
/*
 * `minivmm top`'s side of the control socket (docs/api.md): the connection, one JSON object per
 * line each way, requests answered in order with the VM's events noted on the way, and the
 * status + stats pair each frame is made from.
 */
#ifndef MINIVMM_TOP_CLIENT_H
#define MINIVMM_TOP_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/vmm_error.h"

struct top_conn {
	int fd;
	char buf[1 << 17];
	size_t len;
	char last_event[128]; /* shown in the header */
	bool stopped;	      /* the VM said "stopped", or the connection ended */
	int stop_status;
};

/* Connects c to the socket at path. Returns 0, or -errno with err (status 64 when nothing
 * listens there, 77 when the socket is another user's). */
int top_connect(struct top_conn *c, const char *path, struct vmm_error *err);

/* The next line from the VM as JSON, waiting at most timeout_ms; NULL on timeout or end. */
json_t *top_read_message(struct top_conn *c, int timeout_ms);

/* Notes an event line (the header shows the last; "stopped" ends top). */
void top_note_event(struct top_conn *c, json_t *msg);

/* Sends a request and returns its reply (events on the way are noted); NULL if none came. */
json_t *top_ask(struct top_conn *c, const char *request);

/* What one frame is made from: the replies to status and stats (NULL members: none yet). */
struct top_sample {
	json_t *status, *stats;
};

/* Asks for both; false unless both answered ok. */
bool top_take_sample(struct top_conn *c, struct top_sample *s);
void top_drop_sample(struct top_sample *s);

#endif
