/* SPDX-License-Identifier: MIT */
/*
 * The exit-record writer of the SVG timeline: well-formed, one exit arrow per record, escaping,
 * the empty case, write errors reported. The Chrome Trace Event JSON is test_trace_writers.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_check_main.h"
#include "text_checkers.h"
#include "trace/timeline_svg.h"
#include "trace_writers_fixture.h"

START_TEST(test_xml_checker_rejects_broken_xml)
{
	ck_assert(xml_well_formed("<svg a=\"1\"><g><text>a &amp; b</text></g><line/></svg>\n"));
	ck_assert(!xml_well_formed("<svg><g></svg></g>"));
	ck_assert(!xml_well_formed("<svg><text>'<'</text></svg>"));
	ck_assert(!xml_well_formed("<svg><text>a & b</text></svg>"));
	ck_assert(!xml_well_formed("<svg a=1></svg>"));
	ck_assert(!xml_well_formed("<svg></svg><svg></svg>"));
}
END_TEST

/* xmllint, where installed, as a second opinion; where not, say so rather than pass quietly. */
static void xmllint_if_present(const char *path)
{
	if (system("command -v xmllint >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP xmllint check of %s: xmllint not installed\n", path);
		return;
	}
	char cmd[256];
	snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
}

static char *write_svg(const struct exit_record *r, size_t count)
{
	char path[128];
	tmp_path(path, sizeof path, "timeline.svg");
	struct vmm_error err = {0};
	ck_assert_int_eq(timeline_svg_write(path, r, count, &err), 0);
	xmllint_if_present(path);
	char *text = slurp(path);
	remove_tmp(path);
	return text;
}

/* ---- SVG ---- */

START_TEST(test_svg_well_formed_with_one_exit_arrow_per_record)
{
	make_tmpdir();
	struct exit_record r[SAMPLE_COUNT];
	sample_records(r);
	char *svg = write_svg(r, SAMPLE_COUNT);
	ck_assert_msg(xml_well_formed(svg), "SVG not well-formed");
	ck_assert_int_eq(count_of(svg, "class=\"exit-arrow\""), SAMPLE_COUNT);
	ck_assert_int_eq(count_of(svg, "class=\"entry-arrow\""), SAMPLE_COUNT);
	ck_assert_int_eq(count_of(svg, ">VM exit:</text>"), SAMPLE_COUNT);
	ck_assert_ptr_nonnull(strstr(svg, "5 exits shown"));
	ck_assert_ptr_nonnull(strstr(svg, "widths are not to scale"));
	ck_assert_ptr_nonnull(strstr(svg, ">0x3f8 &apos;H&apos;</text>")); /* the UART char */
	ck_assert_ptr_nonnull(strstr(svg, ">unclaimed</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">HLT</text>"));
	ck_assert_ptr_nonnull(strstr(svg, ">1.00 \xc2\xb5s</text>")); /* an IO's guest time */
	ck_assert_ptr_nonnull(strstr(svg, ">90.0 ms</text>"));	      /* the HLT's */
	/* 250 px of lane names + 5 columns of 160 px + 46 px: well under the minimum width. */
	ck_assert_ptr_nonnull(strstr(svg, "viewBox=\"0 0 1100 440\""));
	free(svg);
}
END_TEST

START_TEST(test_svg_escapes_text)
{
	make_tmpdir();
	struct exit_record r[2] = {
	    io_write(0, 0, 100, 0x3f8, '<', "uart8250"),
	    io_write(0, 1, 200, 0x3f8, '&', "a&b<c>\"q\""),
	};
	char *svg = write_svg(r, 2);
	ck_assert_msg(xml_well_formed(svg), "SVG not well-formed");
	ck_assert_ptr_nonnull(strstr(svg, "0x3f8 &apos;&lt;&apos;"));
	ck_assert_ptr_nonnull(strstr(svg, "a&amp;b&lt;c&gt;&quot;q&quot;"));
	ck_assert_ptr_null(strstr(svg, "'<'"));
	free(svg);
}
END_TEST

START_TEST(test_svg_zero_records_says_no_exits)
{
	make_tmpdir();
	char *svg = write_svg(NULL, 0);
	ck_assert_msg(xml_well_formed(svg), "SVG not well-formed");
	ck_assert_ptr_nonnull(strstr(svg, "no exits"));
	ck_assert_int_eq(count_of(svg, "class=\"exit-arrow\""), 0);
	free(svg);
}
END_TEST

START_TEST(test_svg_unwritable_path_is_reported)
{
	struct vmm_error err = {0};
	ck_assert_int_eq(timeline_svg_write("/nonexistent-dir/t.svg", NULL, 0, &err), -ENOENT);
	ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
	ck_assert_str_eq(err.msg, "cannot write timeline file '/nonexistent-dir/t.svg': No such "
				  "file or directory");
}
END_TEST

static Suite *trace_writers_svg_suite(void)
{
	Suite *s = suite_create("trace_writers_svg");
	TCase *svg = tcase_create("svg");
	tcase_add_test(svg, test_xml_checker_rejects_broken_xml);
	tcase_add_test(svg, test_svg_well_formed_with_one_exit_arrow_per_record);
	tcase_add_test(svg, test_svg_escapes_text);
	tcase_add_test(svg, test_svg_zero_records_says_no_exits);
	tcase_add_test(svg, test_svg_unwritable_path_is_reported);
	suite_add_tcase(s, svg);
	return s;
}

CHECK_MAIN(trace_writers_svg_suite)
