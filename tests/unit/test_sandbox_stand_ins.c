/* SPDX-License-Identifier: MIT */
/*
 * The filter generator's check (vmm/tools/sandbox_stand_ins.c) finds the stand-in descriptors
 * where libseccomp puts them, and refuses every program in which one sits anywhere the run time
 * could not safely write a real descriptor: the build then fails rather than patch a syscall
 * number, a masked value, a return value or an unreachable test.
 */
#include <linux/seccomp.h>
#include <stddef.h>

#include "sandbox_stand_ins.h"
#include "test_check_main.h"

#define NR	  offsetof(struct seccomp_data, nr)
#define ARG0_LOW  offsetof(struct seccomp_data, args[0])
#define ARG0_HIGH (offsetof(struct seccomp_data, args[0]) + 4)
#define VM	  (SANDBOX_STAND_IN + SANDBOX_FD_VM)
#define SOCKET	  (SANDBOX_STAND_IN + SANDBOX_FD_CONTROL_SOCKET)

#define LD(off)	       BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, jt, jf) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define ALLOW	       BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define TRAP	       BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP)

static const struct sandbox_shape *one_vcpu(void)
{
	static struct sandbox_shape shape;
	shape = sandbox_shape_made_up(0, 3, 1); /* no control socket */
	return &shape;
}

/* The check refuses p, naming instruction want_bad. */
static void assert_refused_at(const struct sock_filter *p, size_t len, size_t want_bad)
{
	static struct stand_in_places places;
	size_t bad;
	ck_assert_ptr_nonnull(stand_ins_find(p, len, one_vcpu(), &places, &bad));
	ck_assert_uint_eq(bad, want_bad);
}

#define REFUSED_AT(p, bad) assert_refused_at((p), sizeof(p) / sizeof((p)[0]), (bad))

/* libseccomp's form: ioctl; the high word against 0, the low word against the descriptor. */
START_TEST(test_libseccomps_form_is_found)
{
	const struct sock_filter p[] = {
	    LD(NR),	  JEQ(16, 0, 5), LD(ARG0_HIGH), JEQ(0, 0, 3),
	    LD(ARG0_LOW), JEQ(VM, 0, 1), ALLOW,		TRAP,
	};
	static struct stand_in_places places;
	size_t bad;
	ck_assert_ptr_null(stand_ins_find(p, 8, one_vcpu(), &places, &bad));
	ck_assert_uint_eq(places.count, 1);
	ck_assert_uint_eq(places.insn[0], 5);
	ck_assert_uint_eq(places.role[0], SANDBOX_FD_VM);
}
END_TEST

START_TEST(test_stand_in_as_syscall_number_refused)
{
	const struct sock_filter p[] = {LD(NR), JEQ(VM, 0, 1), ALLOW, TRAP};
	REFUSED_AT(p, 1);
}
END_TEST

START_TEST(test_stand_in_after_a_mask_refused)
{
	const struct sock_filter p[] = {
	    LD(ARG0_LOW), BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff), JEQ(VM, 0, 1), ALLOW, TRAP,
	};
	REFUSED_AT(p, 2);
}
END_TEST

/* Reached with argument 0 on one path and with the syscall number on the other. */
START_TEST(test_stand_in_on_mixed_paths_refused)
{
	const struct sock_filter p[] = {
	    LD(NR), JEQ(16, 0, 1), LD(ARG0_LOW), JEQ(VM, 0, 1), ALLOW, TRAP,
	};
	REFUSED_AT(p, 3);
}
END_TEST

START_TEST(test_stand_in_as_return_value_refused)
{
	const struct sock_filter p[] = {BPF_STMT(BPF_RET | BPF_K, VM)};
	REFUSED_AT(p, 0);
}
END_TEST

START_TEST(test_stand_in_in_unreachable_test_refused)
{
	const struct sock_filter p[] = {ALLOW, LD(ARG0_LOW), JEQ(VM, 0, 0), TRAP};
	REFUSED_AT(p, 2);
}
END_TEST

START_TEST(test_stand_in_of_a_missing_descriptor_refused)
{
	const struct sock_filter p[] = {LD(ARG0_LOW), JEQ(SOCKET, 0, 1), ALLOW, TRAP};
	REFUSED_AT(p, 1);
}
END_TEST

START_TEST(test_jump_past_the_end_refused)
{
	const struct sock_filter p[] = {LD(NR), JEQ(16, 0, 5), ALLOW};
	REFUSED_AT(p, 1);
}
END_TEST

static Suite *sandbox_stand_ins_suite(void)
{
	Suite *suite = suite_create("sandbox_stand_ins");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_libseccomps_form_is_found);
	tcase_add_test(tc, test_stand_in_as_syscall_number_refused);
	tcase_add_test(tc, test_stand_in_after_a_mask_refused);
	tcase_add_test(tc, test_stand_in_on_mixed_paths_refused);
	tcase_add_test(tc, test_stand_in_as_return_value_refused);
	tcase_add_test(tc, test_stand_in_in_unreachable_test_refused);
	tcase_add_test(tc, test_stand_in_of_a_missing_descriptor_refused);
	tcase_add_test(tc, test_jump_past_the_end_refused);
	suite_add_tcase(suite, tc);
	return suite;
}

CHECK_MAIN(sandbox_stand_ins_suite)
