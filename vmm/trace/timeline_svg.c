/* SPDX-License-Identifier: MIT */
/*
 * The SVG timeline. Layout of one column (slot) of SLOT_WIDTH px, x relative to its left edge:
 *
 *        ENTRY_X      EXIT_X       HANDLED_X            next column's ENTRY_X
 * guest    |==guest====|                                     |==...
 *          ^ VM entry  v VM exit: IO out / 0x3f8 'H' / uart8250
 * host  ---+           |==handling==|------ back to KVM_RUN ----+
 *
 * Every column has the same width whatever the durations (they are printed instead), and the
 * label of an exit only uses the space up to the next column's entry arrow, so nothing overlaps.
 */
#include "trace/timeline_svg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "trace/trace_json.h" /* trace_exit_title(), trace_exit_uart_char() */

#define MARGIN_LEFT  250 /* the lane names */
#define MARGIN_RIGHT 40
#define SLOT_WIDTH   160
#define ENTRY_X	     6
#define EXIT_X	     70
#define HANDLED_X    130
#define LABEL_CHARS  14 /* fits between EXIT_X + 5 and the next ENTRY_X at 6 px a char */

#define GUEST_LANE_Y 170 /* lanes: y of the top, LANE_HEIGHT tall */
#define HOST_LANE_Y  330
#define LANE_HEIGHT  40
#define BAR_INSET    5
#define FIG_HEIGHT   440
#define MIN_WIDTH    1100 /* room for the title, caption and totals */

#define COLOR_GUEST "#43a047"
#define COLOR_HOST  "#ef8c2b"
#define COLOR_WAIT  "#9e9e9e"
#define COLOR_EXIT  "#c62828"
#define COLOR_ENTRY "#1565c0"

/* Writes s with the XML special characters escaped; control characters (not allowed in XML 1.0)
 * become '?'. A string longer than max_len bytes is cut to max_len - 1 and an ellipsis. */
static void put_xml_text(FILE *f, const char *s, size_t max_len)
{
	const bool cut = strnlen(s, max_len + 1) > max_len;
	const size_t keep = cut ? max_len - 1 : max_len;
	for (size_t i = 0; i < keep && s[i]; i++) {
		const unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
		}
	}
	if (cut)
		fputs("\xe2\x80\xa6", f); /* U+2026 ellipsis: one character, as the cut one */
}

/* A duration or timestamp for people: three or four significant digits and the unit that keeps
 * the number between 1 and 999 ("850 ns", "12.3 µs", "4.56 ms", "1.23 s"). */
static const char *human_ns(uint64_t ns, char *buf, size_t size)
{
	static const char *const units[] = {"ns", "\xc2\xb5s", "ms", "s"};
	double v = (double)ns;
	unsigned u = 0;
	while (v >= 1000.0 && u < 3) {
		v /= 1000.0;
		u++;
	}
	const int decimals = u == 0 ? 0 : v < 10.0 ? 2 : v < 100.0 ? 1 : 0;
	snprintf(buf, size, "%.*f %s", decimals, v, units[u]);
	return buf;
}

static uint64_t span(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}

/* The end of a record's host stretch: the next VM entry of the same vCPU, if drawn. */
static bool next_entry(const struct exit_record *records, size_t count, size_t i, uint64_t *t)
{
	for (size_t j = i + 1; j < count; j++) {
		if (records[j].vcpu == records[i].vcpu) {
			*t = records[j].t_run;
			return true;
		}
	}
	return false;
}

static void put_text(FILE *f, int x, int y, const char *cls, const char *text, size_t max_len)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"%s\">", x, y, cls);
	put_xml_text(f, text, max_len);
	fputs("</text>\n", f);
}

static void write_header(FILE *f, int width, size_t count)
{
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n",
		width, FIG_HEIGHT, width, FIG_HEIGHT);
	fputs("<style>\n"
	      "text{font-family:monospace;font-size:10px;fill:#212121}\n"
	      ".title{font-family:sans-serif;font-size:18px;font-weight:bold}\n"
	      ".caption,.totals,.legend{font-family:sans-serif;font-size:13px}\n"
	      ".lane-name{font-family:sans-serif;font-size:14px;font-weight:bold}\n"
	      ".lane-sub{font-family:sans-serif;font-size:12px}\n"
	      ".head{font-weight:bold}.dim{fill:#757575}\n"
	      ".exit-label{fill:" COLOR_EXIT ";font-weight:bold}.entry-label{fill:" COLOR_ENTRY
	      ";font-weight:bold}\n"
	      ".bar-label{text-anchor:middle}\n"
	      "</style>\n",
	      f);
	/* Arrowheads: markers at the end of the exit (down) and entry (up) lines. */
	fputs("<defs>\n", f);
	static const char *const heads[][2] = {
	    {"head-exit", COLOR_EXIT}, {"head-entry", COLOR_ENTRY}, {"head-axis", COLOR_WAIT}};
	for (int i = 0; i < 3; i++)
		fprintf(f,
			"<marker id=\"%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
			"markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\">"
			"<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
			heads[i][0], heads[i][1]);
	fputs("</defs>\n", f);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, FIG_HEIGHT);
	char title[96];
	if (count)
		snprintf(title, sizeof title, "minivmm: VM exits and entries, the first %zu exit%s",
			 count, count == 1 ? "" : "s");
	else
		snprintf(title, sizeof title, "minivmm: VM exits and entries: no exits recorded");
	put_text(f, 12, 28, "title", title, sizeof title);
	put_text(f, 12, 50, "caption",
		 "Each column is one exit; widths are not to scale; durations in labels.", 128);
	put_text(
	    f, 12, 67, "caption",
	    "(Guest stretches last from microseconds to seconds, the handling of an exit "
	    "microseconds: a linear axis would hide the exits.) Hover a column for its record.",
	    256);
}

static void write_legend(FILE *f)
{
	const int y = 92;
	fprintf(f,
		"<g class=\"legend\">"
		"<rect x=\"12\" y=\"%d\" width=\"24\" height=\"12\" fill=\"" COLOR_GUEST "\"/>"
		"<text x=\"42\" y=\"%d\" class=\"legend\">guest runs (inside KVM_RUN)</text>"
		"<rect x=\"250\" y=\"%d\" width=\"24\" height=\"12\" fill=\"" COLOR_HOST "\"/>"
		"<text x=\"280\" y=\"%d\" class=\"legend\">minivmm handles the exit</text>"
		"<line x1=\"470\" y1=\"%d\" x2=\"494\" y2=\"%d\" stroke=\"" COLOR_WAIT
		"\" stroke-width=\"3\"/>"
		"<text x=\"500\" y=\"%d\" class=\"legend\">back to KVM_RUN (+time)</text>"
		"<text x=\"690\" y=\"%d\" class=\"legend exit-label\">\xe2\x86\x93 VM exit: "
		"cause</text>"
		"<text x=\"830\" y=\"%d\" class=\"legend entry-label\">\xe2\x86\x91 VM "
		"entry</text></g>\n",
		y - 10, y, y - 10, y, y - 4, y - 4, y, y, y);
}

static void write_totals(FILE *f, const struct exit_record *records, size_t count)
{
	uint64_t guest = 0, handling = 0, host = 0, first = UINT64_MAX, last = 0;
	for (size_t i = 0; i < count; i++) {
		const struct exit_record *r = &records[i];
		uint64_t end = r->t_done;
		next_entry(records, count, i, &end);
		guest += span(r->t_run, r->t_exit);
		handling += span(r->t_exit, r->t_done);
		host += span(r->t_exit, end);
		first = r->t_run < first ? r->t_run : first;
		last = r->t_done > last ? r->t_done : last;
	}
	if (count == 0)
		first = 0;
	char g[24], h[24], hh[24], t0[24], t1[24], line[256];
	snprintf(line, sizeof line,
		 "%zu exits shown \xc2\xb7 guest time %s \xc2\xb7 host time %s (handling %s) "
		 "\xc2\xb7 first VM entry at %s, last exit handled at %s (since trace start)",
		 count, human_ns(guest, g, sizeof g), human_ns(host, h, sizeof h),
		 human_ns(handling, hh, sizeof hh), human_ns(first, t0, sizeof t0),
		 human_ns(last, t1, sizeof t1));
	put_text(f, 12, 120, "totals", line, sizeof line);
}

static void write_lanes(FILE *f, int width)
{
	fprintf(f,
		"<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#edf7ed\"/>\n"
		"<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fdf2e6\"/>\n",
		GUEST_LANE_Y, width, LANE_HEIGHT, HOST_LANE_Y, width, LANE_HEIGHT);
	put_text(f, 12, GUEST_LANE_Y + 17, "lane-name", "guest mode", 32);
	put_text(f, 12, GUEST_LANE_Y + 33, "lane-sub", "(VMX non-root / SVM guest)", 32);
	put_text(f, 12, HOST_LANE_Y + 17, "lane-name", "host mode (root):", 32);
	put_text(f, 12, HOST_LANE_Y + 33, "lane-sub", "KVM + minivmm", 32);
	const int axis_y = FIG_HEIGHT - 22;
	fprintf(f,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#757575\" "
		"marker-end=\"url(#head-axis)\"/>\n",
		MARGIN_LEFT, axis_y, width - 12, axis_y);
	put_text(f, 12, axis_y + 4, "lane-sub", "time \xe2\x86\x92 (one column per exit)", 64);
}

/* The exit's cause on up to three short lines: "IO out" / "0x3f8 'H'" / "uart8250 x2" (the
 * device line keeps the count of a string PIO even if the name has to be cut). */
static void exit_label_lines(const struct exit_record *r, char lines[3][64])
{
	lines[0][0] = lines[1][0] = lines[2][0] = '\0';
	char title[64];
	trace_exit_title(r, title, sizeof title);
	if (!trace_exit_is_access(r)) {
		snprintf(lines[0], sizeof lines[0], "%s", title);
		return;
	}
	char *addr = strrchr(title, ' '); /* "IO out 0x3f8": the address is the last word */
	*addr++ = '\0';
	snprintf(lines[0], sizeof lines[0], "%s", title);
	const int c = trace_exit_uart_char(r);
	if (c >= 0)
		snprintf(lines[1], sizeof lines[1], "%s '%c'", addr, c);
	else
		snprintf(lines[1], sizeof lines[1], "%s", addr);
	const bool claimed = r->device && !(r->flags & EXIT_RECORD_UNCLAIMED);
	const char *device = claimed ? r->device : "unclaimed";
	char count[16] = "";
	if (r->count > 1)
		snprintf(count, sizeof count, " x%u", r->count);
	const int room = LABEL_CHARS - (int)strlen(count);
	if ((int)strlen(device) > room) /* cut the name, keep the count; U+2026 marks the cut */
		snprintf(lines[2], sizeof lines[2], "%.*s\xe2\x80\xa6%s", room - 1, device, count);
	else
		snprintf(lines[2], sizeof lines[2], "%s%s", device, count);
}

static void write_slot(FILE *f, const struct exit_record *records, size_t count, size_t i,
		       bool many_vcpus)
{
	const struct exit_record *r = &records[i];
	const int x = MARGIN_LEFT + (int)i * SLOT_WIDTH;
	const int entry = x + ENTRY_X, exit = x + EXIT_X, handled = x + HANDLED_X;
	uint64_t next_run = r->t_done;
	const bool has_next = next_entry(records, count, i, &next_run);
	/* The thin line joins the next column's entry arrow only if that entry is this vCPU's. */
	const bool next_is_same_vcpu = i + 1 < count && records[i + 1].vcpu == r->vcpu;
	char d[24], text[160], lines[3][64];

	/* The whole record as a tooltip, in the one-line form "VM exit: IO out 0x3f8 'H'". */
	trace_exit_title(r, text, sizeof text);
	fprintf(f, "<g class=\"exit\"><title>#%" PRIu64 " vCPU %u VM exit: ", r->seq, r->vcpu);
	put_xml_text(f, text, sizeof text);
	const int c = trace_exit_uart_char(r);
	if (c >= 0) {
		const char quoted[4] = {'\'', (char)c, '\'', '\0'};
		fputc(' ', f);
		put_xml_text(f, quoted, sizeof quoted);
	}
	fprintf(f,
		" | t_run %" PRIu64 " ns, t_exit %" PRIu64 " ns, t_done %" PRIu64
		" ns | data 0x%" PRIx64 " size %u count %u | %s",
		r->t_run, r->t_exit, r->t_done, r->data, r->size, r->count,
		r->device ? "" : "no device");
	if (r->device)
		put_xml_text(f, r->device, 64);
	fputs("</title>\n", f);

	/* Column head: which exit, when its VM entry happened. */
	if (many_vcpus)
		snprintf(text, sizeof text, "#%" PRIu64 " vCPU %u", r->seq, r->vcpu);
	else
		snprintf(text, sizeof text, "exit #%" PRIu64, r->seq);
	put_text(f, entry, GUEST_LANE_Y - 22, "head", text, LABEL_CHARS + 10);
	snprintf(text, sizeof text, "entry at %s", human_ns(r->t_run, d, sizeof d));
	put_text(f, entry, GUEST_LANE_Y - 9, "dim", text, LABEL_CHARS + 10);

	/* Guest lane: the guest's stretch, its duration written in the bar. */
	const int bar_y = GUEST_LANE_Y + BAR_INSET, bar_h = LANE_HEIGHT - 2 * BAR_INSET;
	fprintf(f,
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" COLOR_GUEST "\"/>\n",
		entry, bar_y, exit - entry, bar_h);
	put_text(f, (entry + exit) / 2, bar_y + bar_h / 2 + 4, "bar-label",
		 human_ns(span(r->t_run, r->t_exit), d, sizeof d), sizeof d);

	/* Host lane: the handling, then the thin way back to the next KVM_RUN. */
	const int host_y = HOST_LANE_Y + BAR_INSET;
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" COLOR_HOST "\"/>\n",
		exit, host_y, handled - exit, bar_h);
	put_text(f, (exit + handled) / 2, host_y + bar_h / 2 + 4, "bar-label",
		 human_ns(span(r->t_exit, r->t_done), d, sizeof d), sizeof d);
	if (has_next) {
		const int wait_y = HOST_LANE_Y + LANE_HEIGHT / 2;
		fprintf(f,
			"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"" COLOR_WAIT
			"\" stroke-width=\"3\"/>\n",
			handled, wait_y, x + SLOT_WIDTH + (next_is_same_vcpu ? ENTRY_X : -ENTRY_X),
			wait_y);
		snprintf(text, sizeof text, "+%s",
			 human_ns(span(r->t_done, next_run), d, sizeof d));
		put_text(f, handled, HOST_LANE_Y + LANE_HEIGHT + 14, "dim", text, sizeof text);
	}

	/* The transitions: the exit arrow down with its cause, the entry arrow up. */
	const int gap_top = GUEST_LANE_Y + LANE_HEIGHT, gap_bottom = HOST_LANE_Y;
	fprintf(f,
		"<line class=\"exit-arrow\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"" COLOR_EXIT "\" stroke-width=\"2\" marker-end=\"url(#head-exit)\"/>\n",
		exit, gap_top - BAR_INSET, exit, gap_bottom + BAR_INSET - 1);
	put_text(f, exit + 5, gap_top + 16, "exit-label", "VM exit:", 16);
	exit_label_lines(r, lines);
	for (int l = 0; l < 3 && lines[l][0]; l++)
		put_text(f, exit + 5, gap_top + 31 + 14 * l, l == 2 ? "dim" : "head", lines[l],
			 l == 2 ? sizeof lines[l] : LABEL_CHARS);
	fprintf(f,
		"<line class=\"entry-arrow\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"" COLOR_ENTRY "\" stroke-width=\"2\" marker-end=\"url(#head-entry)\"/>\n",
		entry, gap_bottom + BAR_INSET, entry, gap_top - BAR_INSET + 1);
	put_text(f, entry + 5, gap_bottom - 22, "entry-label", "VM", 4);
	put_text(f, entry + 5, gap_bottom - 10, "entry-label", "entry", 8);
	fputs("</g>\n", f);
}

FILE *timeline_svg_open(const char *path, struct vmm_error *err)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		const int e = errno;
		vmm_error_set(err, -e,
			      e == EMFILE || e == ENFILE || e == ENOSPC ? VMM_EXIT_HOST_RESOURCES
									: VMM_EXIT_USAGE,
			      "cannot write timeline file '%s': %s", path, strerror(e));
		errno = e;
	}
	return f;
}

int timeline_svg_write(const char *path, const struct exit_record *records, size_t count,
		       struct vmm_error *err)
{
	FILE *f = timeline_svg_open(path, err);
	return f ? timeline_svg_write_file(f, path, records, count, err) : -errno;
}

int timeline_svg_write_file(FILE *f, const char *path, const struct exit_record *records,
			    size_t count, struct vmm_error *err)
{
	int width = MARGIN_LEFT + (int)count * SLOT_WIDTH + ENTRY_X + MARGIN_RIGHT;
	if (width < MIN_WIDTH)
		width = MIN_WIDTH;
	write_header(f, width, count);
	write_legend(f);
	write_totals(f, records, count);
	write_lanes(f, width);
	bool many_vcpus = false;
	for (size_t i = 1; i < count; i++)
		many_vcpus |= records[i].vcpu != records[0].vcpu;
	if (count == 0)
		put_text(f, MARGIN_LEFT, HOST_LANE_Y - 60, "caption",
			 "no exits: the guest never left guest mode for minivmm", 128);
	for (size_t i = 0; i < count; i++)
		write_slot(f, records, count, i, many_vcpus);
	fputs("</svg>\n", f);

	int e = ferror(f) ? (errno ? errno : EIO) : 0;
	if (fclose(f) != 0 && !e)
		e = errno;
	if (e)
		return vmm_error_set(err, -e,
				     e == ENOSPC ? VMM_EXIT_HOST_RESOURCES : VMM_EXIT_USAGE,
				     "cannot write timeline file '%s': %s", path, strerror(e));
	return 0;
}
