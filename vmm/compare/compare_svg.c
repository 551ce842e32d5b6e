/* SPDX-License-Identifier: MIT */
/*
 * `minivmm compare --svg`: the table as a bar chart. Figures span from a nanosecond (a step of
 * computation) to tens of microseconds (an exit to userspace), so the axis is logarithmic, with
 * every value also written beside its bar.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare/compare.h"

#define LABEL_WIDTH 330
#define PLOT_WIDTH  620
#define ROW_HEIGHT  40
#define TOP	    96

static double x_of(double ns, double lo_exp, double hi_exp)
{
	double e = log10(ns > 0 ? ns : 1e-3);
	if (e < lo_exp)
		e = lo_exp;
	return LABEL_WIDTH + (e - lo_exp) / (hi_exp - lo_exp) * PLOT_WIDTH;
}

static void bar(FILE *f, const struct measurement *m, double y, const char *cls, double lo,
		double hi)
{
	if (!m->available) {
		if (m->why_not)
			fprintf(f, "<text x=\"%d\" y=\"%.0f\" class=\"v\">%s: %s</text>\n",
				LABEL_WIDTH + 4, y + 11, cls, m->why_not);
		return;
	}
	char value[32];
	if (m->ns_per_op < 10)
		snprintf(value, sizeof value, "%.2f ns", m->ns_per_op);
	else if (m->ns_per_op < 1000)
		snprintf(value, sizeof value, "%.0f ns", m->ns_per_op);
	else
		snprintf(value, sizeof value, "%.1f us", m->ns_per_op / 1000);
	double x1 = x_of(m->ns_per_op, lo, hi);
	fprintf(f,
		"<rect class=\"%s\" x=\"%d\" y=\"%.0f\" width=\"%.1f\" height=\"14\"/>"
		"<text x=\"%.1f\" y=\"%.0f\" class=\"v\">%s</text>\n",
		cls, LABEL_WIDTH, y, x1 - LABEL_WIDTH > 1 ? x1 - LABEL_WIDTH : 1, x1 + 4, y + 11,
		value);
}

int compare_svg_write(const char *path, const struct compare_row *rows, unsigned count, bool nested,
		      struct vmm_error *err)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return vmm_error_set(err, -errno, VMM_EXIT_USAGE, "cannot write '%s': %s", path,
				     strerror(errno));
	double lo = -1, hi = 6; /* 0.1 ns .. 1 ms */
	int height = TOP + (int)count * ROW_HEIGHT + 60;
	fprintf(
	    f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<style>.host{fill:#4a7fc1}.guest{fill:#e8873a}.v{font-size:11px;fill:#333}"
	    ".grid{stroke:#ddd}.t{font-size:18px;font-weight:bold}</style>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	    "<text class=\"t\" x=\"12\" y=\"26\">minivmm compare: the same operation on the host "
	    "and in the guest</text>\n"
	    "<text x=\"12\" y=\"46\">ns per operation, logarithmic axis. "
	    "<tspan fill=\"#4a7fc1\">■ host process</tspan>  "
	    "<tspan fill=\"#e8873a\">■ guest ring-3 program</tspan>%s</text>\n",
	    LABEL_WIDTH + PLOT_WIDTH + 120, height, LABEL_WIDTH + PLOT_WIDTH + 120, height,
	    nested ? "  (nested host: absolute figures include the outer hypervisor)" : "");
	for (int e = (int)lo; e <= (int)hi; e++) {
		double x = x_of(pow(10, e), lo, hi);
		static const char *const labels[] = {"0.1ns", "1ns",  "10ns",  "100ns",
						     "1us",   "10us", "100us", "1ms"};
		fprintf(f,
			"<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"v\">%s</text>\n",
			x, TOP - 12, x, height - 50, x, TOP - 18, labels[e + 1]);
	}
	for (unsigned i = 0; i < count; i++) {
		const struct compare_row *r = &rows[i];
		double y = TOP + i * ROW_HEIGHT;
		fprintf(f, "<text x=\"12\" y=\"%.0f\">%s</text>\n", y + 18, r->title);
		bar(f, &r->host, y, "host", lo, hi);
		bar(f, &r->guest, y + 16, "guest", lo, hi);
	}
	fprintf(f, "</svg>\n");
	if (fclose(f) != 0)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				     "writing '%s' failed: %s", path, strerror(errno));
	return 0;
}
