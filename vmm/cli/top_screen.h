/* SPDX-License-Identifier: MIT */
/*
 * `minivmm top` as text: a frame (top_frame.h) drawn as lines, redrawn in place with plain ANSI
 * sequences on a terminal, and the keys that steer the view and the VM (s sort, p pause/resume,
 * t trace start/stop, q quit).
 */
#ifndef MINIVMM_TOP_SCREEN_H
#define MINIVMM_TOP_SCREEN_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/top_client.h"
#include "cli/top_frame.h"

#define TOP_HISTORY 60

enum top_sort { TOP_SORT_RATE, TOP_SORT_TOTAL, TOP_SORT_NAME, TOP_SORT_COUNT };

/* What the view keeps from frame to frame. */
struct top_view {
	enum top_sort sort;
	double history[TOP_HISTORY]; /* exits per second, oldest first: the spark line */
	unsigned hist_count;
	char message[256]; /* the answer to the last key, shown under the frame */
};

/* Adds a frame's exit rate to the spark line's history. */
void top_view_add_rate(struct top_view *view, double rate);

/* The frame as text; `screen`: on a terminal (lines end in erase-to-end, keys listed). */
void top_print_text(FILE *out, const struct top_frame *f, const char *path,
		    const struct top_conn *c, const struct top_view *view, bool screen);

/* A key pressed on the terminal; `state` is the VM's as last seen. Returns false on q. */
bool top_handle_key(struct top_conn *c, struct top_view *view, char key, const char *state);

#endif
