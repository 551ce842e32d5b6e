/* A main() for a Check suite: runs it, prints Check's summary, fails the process on failure. */
#ifndef MINIVMM_TEST_CHECK_MAIN_H
#define MINIVMM_TEST_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(suite_fn)                                                                       \
	int main(void)                                                                             \
	{                                                                                          \
		SRunner *runner = srunner_create(suite_fn());                                      \
		srunner_run_all(runner, CK_NORMAL);                                                \
		int failed = srunner_ntests_failed(runner);                                        \
		srunner_free(runner);                                                              \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                       \
	}

#endif
