/* SPDX-License-Identifier: MIT */
/* The split virtqueue (vmm/virtio/virtqueue.c) against hand-built rings in a guest RAM mapping:
 * a good chain in and out, and every kind of hostile chain or ring refused with a reason. */
#include <string.h>

#include "test_check_main.h"
#include "virtio/virtqueue.h"

#define RAM_SIZE   (8ull << 20)
#define DESC_GPA   0x10000ull
#define AVAIL_GPA  0x11000ull
#define USED_GPA   0x12000ull
#define BUFFER_GPA 0x20000ull
#define QSIZE	   8

static struct guest_mem mem;
static struct virtqueue vq;
static struct virtq_chain chain;

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void *at(uint64_t gpa)
{
	return guest_mem_gpa_to_hva(&mem, gpa, 1);
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct desc d = {addr, len, flags, next};
	memcpy((uint8_t *)at(DESC_GPA) + 16 * i, &d, sizeof d);
}

/* Makes head available: ring slot, then the index. */
static void post(uint16_t head)
{
	uint16_t *avail = at(AVAIL_GPA);
	avail[2 + (avail[1] % QSIZE)] = head;
	avail[1]++;
}

static void setup(void)
{
	struct vmm_error err;
	ck_assert_int_eq(guest_mem_init(&mem, RAM_SIZE, &err), 0);
	virtq_reset(&vq);
	vq.num = QSIZE;
	vq.desc_gpa = DESC_GPA;
	vq.avail_gpa = AVAIL_GPA;
	vq.used_gpa = USED_GPA;
}

static void teardown(void)
{
	guest_mem_destroy(&mem);
}

static void enable(void)
{
	ck_assert(virtq_enable(&vq, &mem, 256));
	ck_assert(vq.ready);
}

static void expect_broken(const char *reason_part)
{
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_BROKEN);
	ck_assert_ptr_nonnull(vq.error);
	ck_assert_msg(strstr(vq.error, reason_part), "'%s' lacks '%s'", vq.error, reason_part);
	/* Broken stays broken, and nothing was consumed. */
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_BROKEN);
	ck_assert_uint_eq(vq.next_avail, 0);
}

START_TEST(test_good_chain_in_and_out)
{
	enable();
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_EMPTY);
	set_desc(3, BUFFER_GPA, 100, VIRTQ_DESC_F_NEXT, 5);
	set_desc(5, BUFFER_GPA + 0x1000, 4096, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 6);
	set_desc(6, BUFFER_GPA + 0x2000, 10, VIRTQ_DESC_F_WRITE, 0);
	post(3);
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_CHAIN);
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_uint_eq(chain.count, 3);
	ck_assert_uint_eq(chain.readable_bytes, 100);
	ck_assert_uint_eq(chain.writable_bytes, 4106);
	ck_assert(!chain.buffers[0].device_writable && chain.buffers[1].device_writable);
	ck_assert_ptr_eq(chain.buffers[1].hva, at(BUFFER_GPA + 0x1000));
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_EMPTY);
	virtq_push(&vq, 3, 4106);
	uint8_t *used = at(USED_GPA);
	uint16_t idx;
	uint32_t id, len;
	memcpy(&idx, used + 2, 2);
	memcpy(&id, used + 4, 4);
	memcpy(&len, used + 8, 4);
	ck_assert_uint_eq(idx, 1);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(len, 4106);
}
END_TEST

START_TEST(test_indices_wrap_at_2_to_16)
{
	enable();
	set_desc(0, BUFFER_GPA, 8, VIRTQ_DESC_F_WRITE, 0);
	for (unsigned i = 0; i < 70000; i++) {
		post(0);
		ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_CHAIN);
		virtq_push(&vq, chain.head, 8);
	}
	ck_assert_uint_eq(vq.next_used, (uint16_t)70000);
	ck_assert_ptr_null(vq.error);
}
END_TEST

START_TEST(test_unpop_gives_the_chain_back)
{
	enable();
	set_desc(0, BUFFER_GPA, 8, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_CHAIN);
	virtq_unpop(&vq);
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_CHAIN);
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_EMPTY);
}
END_TEST

START_TEST(test_no_interrupt_flag)
{
	enable();
	ck_assert(!virtq_interrupt_suppressed(&vq));
	((uint16_t *)at(AVAIL_GPA))[0] = 1;
	ck_assert(virtq_interrupt_suppressed(&vq));
}
END_TEST

START_TEST(test_enable_refuses_bad_rings)
{
	static const struct {
		uint16_t num;
		uint64_t desc, avail, used;
		const char *reason;
	} cases[] = {
	    {0, DESC_GPA, AVAIL_GPA, USED_GPA, "queue size"},
	    {6, DESC_GPA, AVAIL_GPA, USED_GPA, "power of two"},
	    {512, DESC_GPA, AVAIL_GPA, USED_GPA, "QueueNumMax"},
	    {QSIZE, DESC_GPA + 8, AVAIL_GPA, USED_GPA, "descriptor table"},
	    {QSIZE, RAM_SIZE, AVAIL_GPA, USED_GPA, "descriptor table"},
	    {QSIZE, RAM_SIZE - 64, AVAIL_GPA, USED_GPA, "descriptor table"},
	    {QSIZE, 0xfffffffffffffff0ull, AVAIL_GPA, USED_GPA, "descriptor table"},
	    {QSIZE, DESC_GPA, AVAIL_GPA + 1, USED_GPA, "available ring"},
	    {QSIZE, DESC_GPA, 0xc0000000ull, USED_GPA, "available ring"},
	    {QSIZE, DESC_GPA, AVAIL_GPA, USED_GPA + 2, "used ring"},
	    {QSIZE, DESC_GPA, AVAIL_GPA, 0xfffffffffffffffcull, "used ring"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		virtq_reset(&vq);
		vq.num = cases[i].num;
		vq.desc_gpa = cases[i].desc;
		vq.avail_gpa = cases[i].avail;
		vq.used_gpa = cases[i].used;
		ck_assert_msg(!virtq_enable(&vq, &mem, 256), "case %zu enabled", i);
		ck_assert(!vq.ready);
		ck_assert_msg(strstr(vq.error, cases[i].reason), "case %zu: %s", i, vq.error);
	}
}
END_TEST

START_TEST(test_loop_refused)
{
	enable();
	set_desc(0, BUFFER_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUFFER_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	post(0);
	expect_broken("loop");
}
END_TEST

START_TEST(test_self_loop_refused)
{
	enable();
	set_desc(2, BUFFER_GPA, 8, VIRTQ_DESC_F_NEXT, 2);
	post(2);
	expect_broken("loop");
}
END_TEST

START_TEST(test_next_past_queue_refused)
{
	enable();
	set_desc(0, BUFFER_GPA, 8, VIRTQ_DESC_F_NEXT, QSIZE);
	post(0);
	expect_broken("'next'");
}
END_TEST

START_TEST(test_head_past_queue_refused)
{
	enable();
	post(QSIZE + 1);
	expect_broken("beyond the queue size");
}
END_TEST

START_TEST(test_avail_index_jump_refused)
{
	enable();
	((uint16_t *)at(AVAIL_GPA))[1] = QSIZE + 1;
	expect_broken("ahead");
}
END_TEST

START_TEST(test_buffers_outside_ram_refused)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
	} cases[] = {
	    {RAM_SIZE, 1},
	    {RAM_SIZE - 4, 8},
	    {0xfffffffffffff000ull, 0x2000}, /* addr + len wraps */
	    {0xc0000000ull, 4},		     /* the MMIO window */
	    {1ull << 40, 4096},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		teardown(); /* a fresh queue and RAM for each; the fixture's pair stays balanced */
		setup();
		enable();
		set_desc(0, cases[i].addr, cases[i].len, VIRTQ_DESC_F_WRITE, 0);
		post(0);
		expect_broken("outside guest RAM");
	}
}
END_TEST

START_TEST(test_indirect_refused)
{
	enable();
	set_desc(0, BUFFER_GPA, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_broken("indirect");
}
END_TEST

START_TEST(test_readable_after_writable_refused)
{
	enable();
	set_desc(0, BUFFER_GPA, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUFFER_GPA, 8, 0, 0);
	post(0);
	expect_broken("readable");
}
END_TEST

START_TEST(test_total_over_4gib_refused)
{
	/* Eight descriptors of nearly all of a 1 GiB RAM: no byte is touched, the walk stops. */
	teardown();
	struct vmm_error err;
	ck_assert_int_eq(guest_mem_init(&mem, 1ull << 30, &err), 0);
	enable();
	for (unsigned i = 0; i < QSIZE; i++)
		set_desc(i, 1ull << 20, (1u << 30) - (1u << 20),
			 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	set_desc(QSIZE - 1, 1ull << 20, (1u << 30) - (1u << 20), VIRTQ_DESC_F_WRITE, 0);
	post(0);
	expect_broken("4 GiB");
}
END_TEST

START_TEST(test_buffers_in_boot_pages_allowed)
{
	enable();
	set_desc(0, 0, 16, VIRTQ_DESC_F_WRITE, 0); /* guest RAM: the guest's own business */
	post(0);
	ck_assert_int_eq(virtq_pop(&vq, &mem, &chain), VIRTQ_POP_CHAIN);
}
END_TEST

static Suite *virtqueue_suite(void)
{
	Suite *s = suite_create("virtqueue");
	TCase *tc = tcase_create("split");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good_chain_in_and_out);
	tcase_add_test(tc, test_indices_wrap_at_2_to_16);
	tcase_add_test(tc, test_unpop_gives_the_chain_back);
	tcase_add_test(tc, test_no_interrupt_flag);
	tcase_add_test(tc, test_enable_refuses_bad_rings);
	tcase_add_test(tc, test_loop_refused);
	tcase_add_test(tc, test_self_loop_refused);
	tcase_add_test(tc, test_next_past_queue_refused);
	tcase_add_test(tc, test_head_past_queue_refused);
	tcase_add_test(tc, test_avail_index_jump_refused);
	tcase_add_test(tc, test_buffers_outside_ram_refused);
	tcase_add_test(tc, test_indirect_refused);
	tcase_add_test(tc, test_readable_after_writable_refused);
	tcase_add_test(tc, test_total_over_4gib_refused);
	tcase_add_test(tc, test_buffers_in_boot_pages_allowed);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(virtqueue_suite)
