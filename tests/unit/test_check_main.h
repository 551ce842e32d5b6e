/* SPDX-License-Identifier: MIT */
/* A main() for a Check suite: runs it, prints Check's summary, fails the process on failure. */
#ifndef MINIVMM_TEST_CHECK_MAIN_H
#define MINIVMM_TEST_CHECK_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline int check_run_suite(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	srunner_run_all(runner, CK_NORMAL);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#define CHECK_MAIN(suite_fn)                                                                       \
	int main(void)                                                                             \
	{                                                                                          \
		return check_run_suite(suite_fn());                                                \
	}

/* For a suite that needs /dev/kvm: without a usable one it reports SKIP and exits 77, which
 * tests/CMakeLists.txt declares as ctest's SKIP_RETURN_CODE (never a pass). */
#define CHECK_MAIN_NEEDS_KVM(suite_fn)                                                             \
	int main(void)                                                                             \
	{                                                                                          \
		if (access("/dev/kvm", R_OK | W_OK) != 0) {                                        \
			printf("SKIP: no usable /dev/kvm\n");                                      \
			return 77;                                                                 \
		}                                                                                  \
		return check_run_suite(suite_fn());                                                \
	}

#endif
