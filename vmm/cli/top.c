/* SPDX-License-Identifier: MIT */
/*
 * `minivmm top SOCKET`: asks a VM run with --api-sock for its status and stats once a second and
 * shows exits per second by reason and by device access, in-kernel exits, each vCPU's split of
 * time, the CPU the process uses (guest / KVM / VMM, as the kernel accounts it) and the recent
 * exit rate as a spark line. Keys: s sort, p pause/resume, t trace start/stop, q quit.
 * On a terminal the screen is redrawn with plain ANSI sequences; otherwise (or with --once) it
 * prints plain lines like `top -b`; --json prints one JSON object per interval.
 */
#include "cli/top.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/option_values.h"
#include "cli/options.h"
#include "util/vmm_error.h"

#define TOP_HISTORY  60
#define TOP_MAX_ROWS 64

struct conn {
	int fd;
	char buf[1 << 17];
	size_t len;
	char last_event[128]; /* shown in the header */
	bool stopped;	      /* the VM said "stopped" */
	int stop_status;
};

struct row {
	char key[64];
	double total, rate;
};

struct sample {
	json_t *status, *stats;
};

struct frame {
	double uptime, interval, exits_rate, in_kernel_rate;
	double records, in_kernel;
	const char *state;
	struct row reasons[TOP_MAX_ROWS], accesses[TOP_MAX_ROWS];
	unsigned reason_count, access_count;
	struct {
		double rate, run_pct, vmm_pct;
	} vcpus[8];
	unsigned vcpu_count;
	double guest_pct, kvm_pct, vmm_pct; /* of one CPU, from the process's accounting */
	bool have_cpu;
};

enum sort_key { SORT_RATE, SORT_TOTAL, SORT_NAME, SORT_COUNT };
static const char *const sort_names[] = {"rate", "total", "name"};

static volatile sig_atomic_t interrupted;
static void on_signal(int signo)
{
	(void)signo;
	interrupted = 1;
}

static int connect_socket(const char *path, struct vmm_error *err)
{
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
	return fd;
}

static void note_event(struct conn *c, json_t *msg)
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

/* The next line from the VM as JSON, waiting at most timeout_ms; NULL on timeout or end. */
static json_t *read_message(struct conn *c, int timeout_ms)
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

/* Sends a request and returns its reply (events on the way are noted). */
static json_t *ask(struct conn *c, const char *request)
{
	size_t len = strlen(request);
	if (write(c->fd, request, len) != (ssize_t)len || write(c->fd, "\n", 1) != 1) {
		c->stopped = true;
		return NULL;
	}
	for (;;) {
		json_t *msg = read_message(c, 5000);
		if (!msg)
			return NULL;
		if (json_object_get(msg, "event")) {
			note_event(c, msg);
			json_decref(msg);
			continue;
		}
		return msg;
	}
}

static double number(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* Finds key's figure in the previous sample's array. */
static double previous(json_t *array, const char *name_key, const char *name, const char *field)
{
	size_t i;
	json_t *o;
	json_array_foreach(array, i, o)
	{
		const char *k = json_string_value(json_object_get(o, name_key));
		if (k && strcmp(k, name) == 0)
			return number(o, field);
	}
	return 0;
}

static unsigned rows_from(json_t *now, json_t *before, const char *name_key, double dt,
			  struct row *rows)
{
	unsigned n = 0;
	size_t i;
	json_t *o;
	json_array_foreach(now, i, o)
	{
		if (n == TOP_MAX_ROWS)
			break;
		const char *k = json_string_value(json_object_get(o, name_key));
		if (!k)
			continue;
		double total = number(o, "samples");
		snprintf(rows[n].key, sizeof rows[n].key, "%s", k);
		rows[n].total = total;
		rows[n].rate = (total - previous(before, name_key, k, "samples")) / dt;
		n++;
	}
	return n;
}

/* prev may have NULL members: the first frame's rates are over the whole uptime. */
static void make_frame(const struct sample *prev, const struct sample *cur, struct frame *f)
{
	memset(f, 0, sizeof *f);
	f->uptime = number(cur->status, "uptime_s");
	double paused_now = number(cur->status, "paused_s");
	double before = prev->status ? number(prev->status, "uptime_s") : 0;
	double paused_before = prev->status ? number(prev->status, "paused_s") : 0;
	f->interval = f->uptime - before;
	double dt = f->interval > 1e-3 ? f->interval : 1e-3;
	(void)paused_now, (void)paused_before;
	f->state = json_string_value(json_object_get(cur->status, "state"));
	f->records = number(cur->stats, "records");
	f->in_kernel = number(cur->stats, "in_kernel_exits");
	f->exits_rate = (f->records - (prev->stats ? number(prev->stats, "records") : 0)) / dt;
	f->in_kernel_rate =
	    (f->in_kernel - (prev->stats ? number(prev->stats, "in_kernel_exits") : 0)) / dt;
	json_t *empty = json_array();
	f->reason_count = rows_from(json_object_get(cur->stats, "reasons"),
				    prev->stats ? json_object_get(prev->stats, "reasons") : empty,
				    "reason", dt, f->reasons);
	f->access_count = rows_from(json_object_get(cur->stats, "accesses"),
				    prev->stats ? json_object_get(prev->stats, "accesses") : empty,
				    "access", dt, f->accesses);
	json_decref(empty);
	json_t *vcpus = json_object_get(cur->stats, "vcpus");
	json_t *old_vcpus = prev->stats ? json_object_get(prev->stats, "vcpus") : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(vcpus, i, v)
	{
		if (i >= 8)
			break;
		json_t *o = json_array_get(old_vcpus, i);
		f->vcpus[i].rate = (number(v, "records") - number(o, "records")) / dt;
		f->vcpus[i].run_pct =
		    100 * (number(v, "in_kvm_run_ns") - number(o, "in_kvm_run_ns")) / (dt * 1e9);
		f->vcpus[i].vmm_pct =
		    100 * (number(v, "in_vmm_ns") - number(o, "in_vmm_ns")) / (dt * 1e9);
		f->vcpu_count = (unsigned)i + 1;
	}
	json_t *cpu = json_object_get(cur->status, "process_cpu_ms");
	json_t *old_cpu = prev->status ? json_object_get(prev->status, "process_cpu_ms") : NULL;
	if (cpu) {
		f->have_cpu = true;
		f->guest_pct = (number(cpu, "guest") - number(old_cpu, "guest")) / (dt * 10);
		f->kvm_pct = (number(cpu, "kernel") - number(old_cpu, "kernel")) / (dt * 10);
		f->vmm_pct = (number(cpu, "vmm_user") - number(old_cpu, "vmm_user")) / (dt * 10);
	}
}

static enum sort_key sort_by;
static int compare_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (sort_by == SORT_NAME)
		return strcmp(x->key, y->key);
	double dx = sort_by == SORT_RATE ? x->rate : x->total;
	double dy = sort_by == SORT_RATE ? y->rate : y->total;
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->key, y->key);
}

static void spark(char *out, size_t cap, const double *history, unsigned count)
{
	static const char *const bars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					   "\u2585", "\u2586", "\u2587", "\u2588"};
	double max = 0;
	for (unsigned i = 0; i < count; i++)
		max = history[i] > max ? history[i] : max;
	size_t n = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < count && n + 4 < cap; i++) {
		int level = max > 0 ? (int)lround(7 * history[i] / max) : 0;
		n += (size_t)snprintf(out + n, cap - n, "%s", bars[level]);
	}
}

static void print_text(FILE *out, const struct frame *f, const char *path, const struct conn *c,
		       const double *history, unsigned hist_count, bool screen)
{
	const char *eol = screen ? "\033[K\n" : "\n";
	fprintf(out, "minivmm top %s  %s  up %.1f s  exits %.0f/s  in-kernel %.0f/s%s%s%s", path,
		f->state ? f->state : "?", f->uptime, f->exits_rate, f->in_kernel_rate,
		c->last_event[0] ? "  last event: " : "", c->last_event, eol);
	if (f->have_cpu)
		fprintf(out, "CPU: guest %.1f%%  KVM (kernel) %.1f%%  VMM %.1f%%  (of one CPU)%s",
			f->guest_pct, f->kvm_pct, f->vmm_pct, eol);
	char line[TOP_HISTORY * 4 + 1];
	spark(line, sizeof line, history, hist_count);
	fprintf(out, "exits/s %s%s", line, eol);
	for (unsigned i = 0; i < f->vcpu_count; i++)
		fprintf(
		    out,
		    "vCPU %u: %8.0f exits/s  in KVM_RUN (guest + KVM) %5.1f%%  in VMM %5.1f%%%s", i,
		    f->vcpus[i].rate, f->vcpus[i].run_pct, f->vcpus[i].vmm_pct, eol);
	struct row rows[TOP_MAX_ROWS];
	fprintf(out, "%s%-28s %12s %12s   (sorted by %s)%s", eol, "EXIT REASON", "exits/s", "total",
		sort_names[sort_by], eol);
	memcpy(rows, f->reasons, f->reason_count * sizeof rows[0]);
	qsort(rows, f->reason_count, sizeof rows[0], compare_rows);
	for (unsigned i = 0; i < f->reason_count; i++)
		fprintf(out, "%-28s %12.0f %12.0f%s", rows[i].key, rows[i].rate, rows[i].total,
			eol);
	fprintf(out, "%s%-28s %12s %12s%s", eol, "DEVICE ACCESS", "exits/s", "total", eol);
	memcpy(rows, f->accesses, f->access_count * sizeof rows[0]);
	qsort(rows, f->access_count, sizeof rows[0], compare_rows);
	for (unsigned i = 0; i < f->access_count; i++)
		fprintf(out, "%-28s %12.0f %12.0f%s", rows[i].key, rows[i].rate, rows[i].total,
			eol);
	if (screen)
		fprintf(out, "%s[s] sort  [p] pause/resume  [t] trace start/stop  [q] quit\033[J",
			eol);
	else
		fputs("\n", out);
	fflush(out);
}

static json_t *rows_json(const struct row *rows, unsigned count, const char *key)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < count; i++)
		json_array_append_new(a,
				      json_pack("{s:s, s:I, s:f}", key, rows[i].key, "total",
						(json_int_t)rows[i].total, "per_s", rows[i].rate));
	return a;
}

static void print_json(FILE *out, const struct frame *f, const struct conn *c)
{
	json_t *vcpus = json_array();
	for (unsigned i = 0; i < f->vcpu_count; i++)
		json_array_append_new(vcpus, json_pack("{s:i, s:f, s:f, s:f}", "index", (int)i,
						       "exits_per_s", f->vcpus[i].rate,
						       "in_kvm_run_pct", f->vcpus[i].run_pct,
						       "in_vmm_pct", f->vcpus[i].vmm_pct));
	json_t *o = json_pack("{s:s, s:f, s:f, s:I, s:f, s:I, s:f, s:o, s:o, s:o}", "state",
			      f->state ? f->state : "", "uptime_s", f->uptime, "interval_s",
			      f->interval, "records", (json_int_t)f->records, "exits_per_s",
			      f->exits_rate, "in_kernel_exits", (json_int_t)f->in_kernel,
			      "in_kernel_per_s", f->in_kernel_rate, "reasons",
			      rows_json(f->reasons, f->reason_count, "reason"), "accesses",
			      rows_json(f->accesses, f->access_count, "access"), "vcpus", vcpus);
	if (f->have_cpu)
		json_object_set_new(o, "cpu_pct",
				    json_pack("{s:f, s:f, s:f}", "guest", f->guest_pct, "kvm",
					      f->kvm_pct, "vmm", f->vmm_pct));
	if (c->last_event[0])
		json_object_set_new(o, "last_event", json_string(c->last_event));
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
	if (text)
		fprintf(out, "%s\n", text);
	fflush(out);
	free(text);
	json_decref(o);
}

static bool take_sample(struct conn *c, struct sample *s)
{
	s->status = ask(c, "{\"cmd\":\"status\"}");
	s->stats = s->status ? ask(c, "{\"cmd\":\"stats\"}") : NULL;
	return s->status && s->stats && json_is_true(json_object_get(s->status, "ok")) &&
	       json_is_true(json_object_get(s->stats, "ok"));
}

static void drop_sample(struct sample *s)
{
	json_decref(s->status);
	json_decref(s->stats);
	s->status = s->stats = NULL;
}

/* A key pressed on the terminal: p, t, s or q. Returns false on q. */
static bool handle_key(struct conn *c, char key, char *message, size_t cap, const char *state)
{
	json_t *r = NULL;
	switch (key) {
	case 'q':
		return false;
	case 's':
		sort_by = (sort_by + 1) % SORT_COUNT;
		return true;
	case 'p':
		r = ask(c, state && strcmp(state, "paused") == 0 ? "{\"cmd\":\"resume\"}"
								 : "{\"cmd\":\"pause\"}");
		break;
	case 't': {
		json_t *st = ask(c, "{\"cmd\":\"status\"}");
		bool tracing = st && json_is_string(json_object_get(st, "trace"));
		json_decref(st);
		if (tracing) {
			r = ask(c, "{\"cmd\":\"trace\",\"stop\":true}");
			break;
		}
		char cwd[PATH_MAX - 64];
		if (!getcwd(cwd, sizeof cwd))
			snprintf(cwd, sizeof cwd, "/tmp");
		char file[PATH_MAX];
		snprintf(file, sizeof file, "%s/minivmm-trace-%ld.txt", cwd, (long)time(NULL));
		json_t *req = json_pack("{s:s, s:s}", "cmd", "trace", "file", file);
		char *text = json_dumps(req, JSON_COMPACT);
		json_decref(req);
		r = text ? ask(c, text) : NULL;
		free(text);
		break;
	}
	default:
		return true;
	}
	if (r && json_is_true(json_object_get(r, "ok"))) {
		const char *file = json_string_value(json_object_get(r, "file"));
		json_t *tracing = json_object_get(r, "tracing");
		if (file)
			snprintf(message, cap, "%s %s",
				 json_is_true(tracing) ? "tracing into" : "trace written to", file);
		else
			snprintf(message, cap, "%s", key == 'p' ? "done" : "");
	} else {
		snprintf(message, cap, "%s",
			 r ? json_string_value(json_object_get(r, "error")) : "no reply");
	}
	json_decref(r);
	return true;
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
	bool once = o.once, as_json = o.as_json;
	double interval = o.interval;
	static struct conn c;
	c.len = 0;
	c.fd = connect_socket(path, err);
	if (c.fd < 0)
		return c.fd;
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	bool screen = !once && !as_json && isatty(STDOUT_FILENO);
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

	struct sample prev = {0}, cur = {0};
	double history[TOP_HISTORY] = {0};
	unsigned hist_count = 0;
	char message[256] = "";
	int status = 0;
	while (!interrupted) {
		if (!take_sample(&c, &cur)) {
			drop_sample(&cur);
			if (!c.stopped) {
				status =
				    vmm_error_set(err, -ETIMEDOUT, VMM_EXIT_HOST_RESOURCES,
						  "%s did not answer: is the VM stopping?", path);
			}
			break;
		}
		struct frame f;
		make_frame(&prev, &cur, &f);
		if (hist_count == TOP_HISTORY)
			memmove(history, history + 1, (TOP_HISTORY - 1) * sizeof history[0]);
		else
			hist_count++;
		history[hist_count - 1] = f.exits_rate;
		if (as_json) {
			print_json(stdout, &f, &c);
		} else {
			if (screen)
				fputs("\033[H", stdout);
			print_text(stdout, &f, path, &c, history, hist_count, screen);
			if (screen && message[0])
				printf("\n%s\033[K", message);
			fflush(stdout);
		}
		drop_sample(&prev);
		prev = cur;
		cur = (struct sample){0};
		if (once)
			break;
		/* Wait for the next interval, answering keys and noting events meanwhile. */
		struct timespec start;
		clock_gettime(CLOCK_MONOTONIC, &start);
		bool quit = false;
		for (;;) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			double waited = (double)(now.tv_sec - start.tv_sec) +
					(double)(now.tv_nsec - start.tv_nsec) / 1e9;
			if (waited >= interval || interrupted || c.stopped)
				break;
			struct pollfd p[2] = {{.fd = c.fd, .events = POLLIN},
					      {.fd = keys ? STDIN_FILENO : -1, .events = POLLIN}};
			if (poll(p, 2, (int)((interval - waited) * 1000) + 1) <= 0)
				continue;
			if (p[0].revents) {
				json_t *msg = read_message(&c, 0);
				if (msg)
					note_event(&c, msg);
				json_decref(msg);
			}
			char key;
			if (p[1].revents && read(STDIN_FILENO, &key, 1) != 1) {
				/* The terminal hung up (EOF, EIO): nobody is watching, and polling
				 * it again would only spin. */
				quit = true;
				break;
			}
			if (p[1].revents) {
				const char *state =
				    json_string_value(json_object_get(prev.status, "state"));
				if (!handle_key(&c, key, message, sizeof message, state)) {
					quit = true;
					break;
				}
				break; /* redraw now */
			}
		}
		if (quit || c.stopped)
			break;
	}
	drop_sample(&prev);
	if (screen)
		fputs("\033[?25h\n", stdout);
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (c.stopped && !once)
		fprintf(as_json ? stderr : stdout, "minivmm: top: the VM stopped (%s)\n",
			c.last_event[0] ? c.last_event : "connection closed");
	close(c.fd);
	return status;
}
