/* SPDX-License-Identifier: MIT */
/*
 * Counting the exits KVM handles itself (vcpu_trace.h): read after every exit, or sampled and
 * credited over a span of records. KVM's stats fd is stood in for by a memfd holding one counter,
 * so the "exits" value each read sees is set by the test.
 */
#include <linux/kvm.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_check_main.h"
#include "trace/exit_stats.h"
#include "trace/trace_text.h"
#include "trace/vcpu_trace.h"

static struct kvm_stat_counter exits_counter = {.name = "exits", .offset = 0};

/* A vcpu_trace whose "exits" counter is a memfd the test writes; nothing counted yet. */
static void fake_trace_init(struct vcpu_trace *t, uint64_t read_interval_ns)
{
	memset(t, 0, sizeof *t);
	ck_assert_int_eq(trace_ring_init(&t->ring, 64), 0);
	t->stats.fd = memfd_create("fake-kvm-stats", MFD_CLOEXEC);
	ck_assert_int_ge(t->stats.fd, 0);
	t->stats.counters = &exits_counter;
	t->stats.count = 1;
	t->exits_counter = 0;
	t->count_in_kernel = true;
	t->read_interval_ns = read_interval_ns;
	t->t0_ns = monotonic_ns();
	t->last_read_ns = 0;
}

static void fake_trace_destroy(struct vcpu_trace *t)
{
	close(t->stats.fd);
	trace_ring_destroy(&t->ring);
}

static void set_kvm_exits(struct vcpu_trace *t, uint64_t exits)
{
	ck_assert_int_eq(pwrite(t->stats.fd, &exits, sizeof exits, 0), (ssize_t)sizeof exits);
}

/* One userspace exit: KVM's counter has grown to `exits` when minivmm commits the record. */
static const struct exit_record *exit_with_kvm_exits(struct vcpu_trace *t, uint64_t exits,
						     bool last)
{
	struct exit_record *rec = vcpu_trace_begin(t);
	vcpu_trace_exited(t, rec);
	rec->kvm_reason = KVM_EXIT_IO;
	set_kvm_exits(t, exits);
	vcpu_trace_commit(t, rec, last);
	const struct exit_record *published = trace_ring_peek(&t->ring);
	ck_assert_ptr_eq(published, rec);
	trace_ring_pop(&t->ring);
	return published;
}

START_TEST(test_every_exit_read_gives_exact_counts)
{
	struct vcpu_trace t;
	fake_trace_init(&t, 0);
	/* 1 userspace exit + 2 in-kernel, then 1 + 0, then 1 + 5. */
	const struct exit_record *r = exit_with_kvm_exits(&t, 3, false);
	ck_assert(exit_record_has_in_kernel(r));
	ck_assert_uint_eq(r->in_kernel_exits, 2);
	ck_assert_uint_eq(r->in_kernel_span, 1);
	r = exit_with_kvm_exits(&t, 4, false);
	ck_assert_uint_eq(r->in_kernel_exits, 0);
	ck_assert_uint_eq(r->in_kernel_span, 1);
	r = exit_with_kvm_exits(&t, 10, false);
	ck_assert_uint_eq(r->in_kernel_exits, 5);
	ck_assert_uint_eq(r->in_kernel_span, 1);
	fake_trace_destroy(&t);
}
END_TEST

START_TEST(test_sampled_reads_credit_the_span_to_the_last_record)
{
	struct vcpu_trace t;
	fake_trace_init(&t, UINT64_MAX); /* never due by time: only the last record reads */
	uint64_t exits = 0;
	for (int i = 0; i < 4; i++) {
		exits += 1 + (uint64_t)i; /* the userspace exit, plus i in-kernel ones */
		const struct exit_record *r = exit_with_kvm_exits(&t, exits, false);
		ck_assert(r->flags & EXIT_RECORD_IN_KERNEL_LATER);
		ck_assert(!exit_record_has_in_kernel(r));
	}
	exits += 1 + 4;
	const struct exit_record *r = exit_with_kvm_exits(&t, exits, true);
	ck_assert(exit_record_has_in_kernel(r));
	ck_assert_uint_eq(r->in_kernel_span, 5);
	ck_assert_uint_eq(r->in_kernel_exits, 0 + 1 + 2 + 3 + 4);
	fake_trace_destroy(&t);
}
END_TEST

START_TEST(test_counter_that_did_not_grow_enough_gives_zero)
{
	struct vcpu_trace t;
	fake_trace_init(&t, 0);
	/* A kernel whose "exits" missed some of ours must not wrap around to 4 billion. */
	const struct exit_record *r = exit_with_kvm_exits(&t, 0, false);
	ck_assert_uint_eq(r->in_kernel_exits, 0);
	fake_trace_destroy(&t);
}
END_TEST

START_TEST(test_no_counter_marks_unknown)
{
	struct vcpu_trace t;
	fake_trace_init(&t, 0);
	t.count_in_kernel = false;
	const struct exit_record *r = exit_with_kvm_exits(&t, 7, true);
	ck_assert(r->flags & EXIT_RECORD_IN_KERNEL_UNKNOWN);
	ck_assert(!exit_record_has_in_kernel(r));
	fake_trace_destroy(&t);
}
END_TEST

START_TEST(test_text_and_stats_show_the_span)
{
	struct exit_record later = {.kvm_reason = KVM_EXIT_IO,
				    .t_run = 0,
				    .t_exit = 10,
				    .t_done = 20,
				    .flags = EXIT_RECORD_IN_KERNEL_LATER};
	struct exit_record reader = later;
	reader.flags = 0;
	reader.in_kernel_exits = 3;
	reader.in_kernel_span = 2;
	char line[256];
	format_exit_line(line, sizeof line, &later);
	ck_assert_ptr_null(strstr(line, "in-kernel"));
	format_exit_line(line, sizeof line, &reader);
	ck_assert_ptr_nonnull(strstr(line, "(+3 in-kernel over the last 2 exits)"));

	struct exit_stats s;
	exit_stats_init(&s);
	exit_stats_add(&s, &later, 20);
	exit_stats_add(&s, &reader, 20);
	ck_assert(s.in_kernel_known);
	ck_assert_uint_eq(s.in_kernel_exits, 3);
}
END_TEST

static Suite *in_kernel_count_suite(void)
{
	Suite *s = suite_create("in_kernel_count");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_every_exit_read_gives_exact_counts);
	tcase_add_test(tc, test_sampled_reads_credit_the_span_to_the_last_record);
	tcase_add_test(tc, test_counter_that_did_not_grow_enough_gives_zero);
	tcase_add_test(tc, test_no_counter_marks_unknown);
	tcase_add_test(tc, test_text_and_stats_show_the_span);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(in_kernel_count_suite)
