/* SPDX-License-Identifier: MIT */
/*
 * `minivmm top SOCKET`: asks a VM run with --api-sock for its status and stats every interval
 * and shows what changed: its options and its loop. The connection is top_client.c, a frame's
 * figures top_frame.c, the text and the keys top_screen.c.
 */
#include "cli/top.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/option_values.h"
#include "cli/options.h"
#include "cli/top_client.h"
#include "cli/top_frame.h"
#include "cli/top_screen.h"
#include "util/monotonic_clock.h"
#include "util/vmm_error.h"

static volatile sig_atomic_t interrupted;
static void on_signal(int signo)
{
	(void)signo;
	interrupted = 1;
}

void top_usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm top [options] SOCKET\n"
		"\n"
		"A live view of a VM started with minivmm run --api-sock SOCKET: exits per\n"
		"second by reason and by device access, in-kernel exits, each vCPU's time,\n"
		"the process's CPU split, and a spark line of the exit rate. On a terminal:\n"
		"s sort, p pause/resume, t trace start/stop, q quit. Not on a terminal: plain\n"
		"text frames (as top -b). docs/api.md.\n"
		"\n"
		"top options:\n"
		"      --once           one frame (rates since the VM started), then exit\n"
		"      --json           one JSON object per interval instead of text\n"
		"      --interval SECS  seconds between frames (0.1 to 3600, default 1)\n"
		"  -h, --help           this text\n");
}

enum { TOP_OPT_ONCE = 256, TOP_OPT_JSON, TOP_OPT_INTERVAL };

static const struct option top_long_options[] = {
    {"once", no_argument, NULL, TOP_OPT_ONCE},
    {"json", no_argument, NULL, TOP_OPT_JSON},
    {"interval", required_argument, NULL, TOP_OPT_INTERVAL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct cli_spec top_cli_spec = {
    .short_options = "h",
    .long_options = top_long_options,
    .operand = "SOCKET",
    .usage = top_usage,
};

struct top_options {
	bool once, as_json;
	double interval;
};

static int top_option(int opt, const char *arg, void *ctx, struct vmm_error *err)
{
	struct top_options *o = ctx;
	switch (opt) {
	case TOP_OPT_ONCE:
		o->once = true;
		return 0;
	case TOP_OPT_JSON:
		o->as_json = true;
		return 0;
	case TOP_OPT_INTERVAL:
		if (cli_seconds("--interval", arg, &o->interval, err))
			return -EINVAL;
		if (o->interval < 0.1 || o->interval > 3600)
			return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
					     "invalid --interval '%s': give 0.1 to 3600 seconds",
					     arg);
		return 0;
	default:
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "option %d not handled", opt);
	}
}

/* Until the next interval: notes events, answers keys. Returns false when top should end (q,
 * or the terminal hung up); true to draw the next frame (the interval is over, or a key was
 * answered and the frame should show it). */
static bool wait_interval(struct top_conn *c, struct top_view *view, double interval, bool keys,
			  const struct top_sample *shown)
{
	const uint64_t start = monotonic_ns();
	for (;;) {
		double waited = (double)(monotonic_ns() - start) / 1e9;
		if (waited >= interval || interrupted || c->stopped)
			return true;
		struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN},
				      {.fd = keys ? STDIN_FILENO : -1, .events = POLLIN}};
		if (poll(p, 2, (int)((interval - waited) * 1000) + 1) <= 0)
			continue;
		if (p[0].revents) {
			json_t *msg = top_read_message(c, 0);
			if (msg)
				top_note_event(c, msg);
			json_decref(msg);
		}
		if (!p[1].revents)
			continue;
		char key;
		/* The terminal hung up (EOF, EIO): nobody is watching, and polling it again would
		 * only spin. */
		if (read(STDIN_FILENO, &key, 1) != 1)
			return false;
		const char *state = json_string_value(json_object_get(shown->status, "state"));
		return top_handle_key(c, view, key, state);
	}
}

int top_command(int argc, char **argv, struct vmm_error *err)
{
	struct top_options o = {.interval = 1.0};
	const char *path = NULL;
	int ret = cli_parse(&top_cli_spec, argc, argv, top_option, &o, &path, err);
	if (ret == CLI_HELP) {
		top_usage(stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (!path)
		return cli_usage_error(err, "top", "give the SOCKET of a VM run with --api-sock");
	static struct top_conn c;
	ret = top_connect(&c, path, err);
	if (ret)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	bool screen = !o.once && !o.as_json && isatty(STDOUT_FILENO);
	bool keys = screen && isatty(STDIN_FILENO);
	struct termios saved;
	if (keys && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	} else {
		keys = false;
	}
	if (screen)
		fputs("\033[?25l", stdout); /* hide the cursor */

	struct top_sample prev = {0}, cur = {0};
	static struct top_view view;
	int status = 0;
	while (!interrupted) {
		if (!top_take_sample(&c, &cur)) {
			top_drop_sample(&cur);
			if (!c.stopped)
				status =
				    vmm_error_set(err, -ETIMEDOUT, VMM_EXIT_HOST_RESOURCES,
						  "%s did not answer: is the VM stopping?", path);
			break;
		}
		struct top_frame f;
		top_make_frame(&prev, &cur, &f);
		top_view_add_rate(&view, f.exits_rate);
		if (o.as_json) {
			top_frame_print_json(stdout, &f, c.last_event);
		} else {
			if (screen)
				fputs("\033[H", stdout);
			top_print_text(stdout, &f, path, &c, &view, screen);
			if (screen && view.message[0])
				printf("\n%s\033[K", view.message);
			fflush(stdout);
		}
		top_drop_sample(&prev);
		prev = cur;
		cur = (struct top_sample){0};
		if (o.once || !wait_interval(&c, &view, o.interval, keys, &prev) || c.stopped)
			break;
	}
	top_drop_sample(&prev);
	if (screen)
		fputs("\033[?25h\n", stdout);
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (c.stopped && !o.once)
		fprintf(o.as_json ? stderr : stdout, "minivmm: top: the VM stopped (%s)\n",
			c.last_event[0] ? c.last_event : "connection closed");
	close(c.fd);
	return status;
}
