/* SPDX-License-Identifier: MIT */
/* The computation workload shared with the guest (include/minivmm/workloads.h): its checksums are
 * pinned, because `minivmm compare` and the integration tests compare the guest's against them. */
#include <stdint.h>

#include "minivmm/workloads.h"
#include "test_check_main.h"

START_TEST(test_compute_checksum_is_pinned)
{
	/* The guest prints workload_compute(iters) & INT64_MAX as check=0x... */
	ck_assert_uint_eq(workload_compute(200) & INT64_MAX, UINT64_C(0x300d34920ca488dd));
	ck_assert_uint_eq(workload_compute(1000000) & INT64_MAX, UINT64_C(0x67b2509d0c5a5b9c));
}
END_TEST

START_TEST(test_compute_zero_iterations)
{
	ck_assert_uint_eq(workload_compute(0), 0);
}
END_TEST

START_TEST(test_compute_depends_on_every_iteration)
{
	ck_assert_uint_ne(workload_compute(999), workload_compute(1000));
}
END_TEST

static Suite *workloads_suite(void)
{
	Suite *s = suite_create("workloads");
	TCase *tc = tcase_create("compute");
	tcase_add_test(tc, test_compute_checksum_is_pinned);
	tcase_add_test(tc, test_compute_zero_iterations);
	tcase_add_test(tc, test_compute_depends_on_every_iteration);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(workloads_suite)
