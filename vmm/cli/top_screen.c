/* SPDX-License-Identifier: MIT */
#include "cli/top_screen.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const sort_names[] = {"rate", "total", "name"};

void top_view_add_rate(struct top_view *view, double rate)
{
	if (view->hist_count == TOP_HISTORY)
		memmove(view->history, view->history + 1,
			(TOP_HISTORY - 1) * sizeof view->history[0]);
	else
		view->hist_count++;
	view->history[view->hist_count - 1] = rate;
}

static enum top_sort sort_by; /* for compare_rows: qsort passes no context */
static int compare_rows(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	if (sort_by == TOP_SORT_NAME)
		return strcmp(x->key, y->key);
	double dx = sort_by == TOP_SORT_RATE ? x->rate : x->total;
	double dy = sort_by == TOP_SORT_RATE ? y->rate : y->total;
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

/* "12.3%", or "?" for a figure the VM could not tell. */
static const char *pct(char *buf, size_t cap, double value)
{
	if (isnan(value))
		snprintf(buf, cap, "?");
	else
		snprintf(buf, cap, "%.1f%%", value);
	return buf;
}

static void print_vcpu(FILE *out, unsigned i, const struct top_vcpu *v, const char *eol)
{
	char gk[16], guest[16], kvm[16], halted[16], vmm[16], cpu[16];
	fprintf(out, "vCPU %u: %8.0f exits/s  guest+KVM %6s", i, v->rate,
		pct(gk, sizeof gk, v->guest_kvm_pct));
	if (!isnan(v->guest_est_pct))
		fprintf(out, " (est. guest %s KVM %s)", pct(guest, sizeof guest, v->guest_est_pct),
			pct(kvm, sizeof kvm, v->kvm_est_pct));
	fprintf(out, "  halted %6s  VMM %6s  CPU %6s%s", pct(halted, sizeof halted, v->halted_pct),
		pct(vmm, sizeof vmm, v->vmm_pct), pct(cpu, sizeof cpu, v->cpu_pct), eol);
}

static void print_rows(FILE *out, const struct top_row *rows, unsigned count, const char *eol)
{
	struct top_row sorted[TOP_MAX_ROWS];
	memcpy(sorted, rows, count * sizeof sorted[0]);
	qsort(sorted, count, sizeof sorted[0], compare_rows);
	for (unsigned i = 0; i < count; i++)
		fprintf(out, "%-28s %12.0f %12.0f%s", sorted[i].key, sorted[i].rate,
			sorted[i].total, eol);
}

void top_print_text(FILE *out, const struct top_frame *f, const char *path,
		    const struct top_conn *c, const struct top_view *view, bool screen)
{
	const char *eol = screen ? "\033[K\n" : "\n";
	sort_by = view->sort;
	fprintf(out, "minivmm top %s  %s  up %.1f s  exits %.0f/s  in-kernel %.0f/s%s%s%s", path,
		f->state ? f->state : "?", f->uptime, f->exits_rate, f->in_kernel_rate,
		c->last_event[0] ? "  last event: " : "", c->last_event, eol);
	if (f->have_cpu)
		fprintf(out, "CPU: guest %.1f%%  KVM (kernel) %.1f%%  VMM %.1f%%  (of one CPU)%s",
			f->guest_pct, f->kvm_pct, f->vmm_pct, eol);
	char line[TOP_HISTORY * 4 + 1];
	spark(line, sizeof line, view->history, view->hist_count);
	fprintf(out, "exits/s %s%s", line, eol);
	for (unsigned i = 0; i < f->vcpu_count; i++)
		print_vcpu(out, i, &f->vcpus[i], eol);
	fprintf(out, "%s%-28s %12s %12s   (sorted by %s)%s", eol, "EXIT REASON", "exits/s", "total",
		sort_names[view->sort], eol);
	print_rows(out, f->reasons, f->reason_count, eol);
	fprintf(out, "%s%-28s %12s %12s%s", eol, "DEVICE ACCESS", "exits/s", "total", eol);
	print_rows(out, f->accesses, f->access_count, eol);
	if (screen)
		fprintf(out, "%s[s] sort  [p] pause/resume  [t] trace start/stop  [q] quit\033[J",
			eol);
	else
		fputs("\n", out);
	fflush(out);
}

/* t: stops the running trace, or starts one into minivmm-trace-TIME.txt in top's directory. */
static json_t *toggle_trace(struct top_conn *c)
{
	json_t *st = top_ask(c, "{\"cmd\":\"status\"}");
	bool tracing = st && json_is_string(json_object_get(st, "trace"));
	json_decref(st);
	if (tracing)
		return top_ask(c, "{\"cmd\":\"trace\",\"stop\":true}");
	char cwd[PATH_MAX - 64];
	if (!getcwd(cwd, sizeof cwd))
		snprintf(cwd, sizeof cwd, "/tmp");
	char file[PATH_MAX];
	snprintf(file, sizeof file, "%s/minivmm-trace-%ld.txt", cwd, (long)time(NULL));
	json_t *req = json_pack("{s:s, s:s}", "cmd", "trace", "file", file);
	char *text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	json_t *r = text ? top_ask(c, text) : NULL;
	free(text);
	return r;
}

bool top_handle_key(struct top_conn *c, struct top_view *view, char key, const char *state)
{
	json_t *r = NULL;
	switch (key) {
	case 'q':
		return false;
	case 's':
		view->sort = (view->sort + 1) % TOP_SORT_COUNT;
		return true;
	case 'p':
		r = top_ask(c, state && strcmp(state, "paused") == 0 ? "{\"cmd\":\"resume\"}"
								     : "{\"cmd\":\"pause\"}");
		break;
	case 't':
		r = toggle_trace(c);
		break;
	default:
		return true;
	}
	char *message = view->message;
	size_t cap = sizeof view->message;
	if (r && json_is_true(json_object_get(r, "ok"))) {
		const char *file = json_string_value(json_object_get(r, "file"));
		json_t *tracing = json_object_get(r, "tracing");
		if (file)
			snprintf(message, cap, "%s %s",
				 json_is_true(tracing) ? "tracing into" : "trace written to", file);
		else
			snprintf(message, cap, "%s", key == 'p' ? "done" : "");
	} else {
		const char *error = json_string_value(json_object_get(r, "error"));
		snprintf(message, cap, "%s", error ? error : "no reply");
	}
	json_decref(r);
	return true;
}
