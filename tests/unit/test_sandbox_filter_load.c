/* SPDX-License-Identifier: MIT */
/*
 * The kernel takes every build-time seccomp program (vmm/host/sandbox_filter.c) and enforces
 * the descriptors written into it: in a child confined by the program of each of the 256
 * variants, ioctl(KVM_RUN) on the last vCPU's descriptor number passes the filter (the number
 * is not open, so the kernel answers EBADF), while KVM_RUN on the VM's number and openat end the
 * child with SIGSYS. Skipped (77) where the kernel offers no seccomp filters.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/sandbox.h"
#include "host/sandbox_filter.h"
#include "test_check_main.h"

/* Numbers well above anything this process has open. */
#define FIRST_FD 900

enum child_step { PASSED_ALLOWED = 'a', NOT_TRAPPED = 'n' };

/* In the child: confine, then report each step on the pipe (write is allowed). */
static void child(const struct sandbox_shape *s, int report, int forbidden)
{
	struct sock_filter *insns = malloc(sandbox_filter_max_len() * sizeof *insns);
	size_t len = 0;
	struct rlimit no_core = {0, 0}; /* SIGSYS dumps core by default */
	if (!insns || setrlimit(RLIMIT_CORE, &no_core) || sandbox_filter_for(s, insns, &len) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(2);
	struct sock_fprog prog = {.len = (unsigned short)len, .filter = insns};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog))
		_exit(3);
	int vcpu = s->fds[SANDBOX_FD_VCPU0 + s->vcpu_count - 1];
	if (syscall(SYS_ioctl, vcpu, KVM_RUN, 0) == -1 && errno == EBADF) {
		char step = PASSED_ALLOWED;
		(void)!write(report, &step, 1);
	}
	if (forbidden == 0)
		syscall(SYS_ioctl, s->fds[SANDBOX_FD_VM], KVM_RUN, 0);
	else
		syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY);
	char step = NOT_TRAPPED;
	(void)!write(report, &step, 1);
	_exit(0);
}

START_TEST(test_kernel_enforces_every_program)
{
	int variant = _i;
	struct sandbox_shape s = sandbox_shape_made_up(variant, FIRST_FD, 1);
	for (int forbidden = 0; forbidden < 2; forbidden++) {
		int report[2];
		ck_assert_int_eq(pipe2(report, O_CLOEXEC), 0);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			child(&s, report[1], forbidden);
		close(report[1]);
		char steps[4] = {0};
		ssize_t got = read(report[0], steps, sizeof steps);
		close(report[0]);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
			      "variant %d, %s: the child was not stopped by SIGSYS (status 0x%x)",
			      variant, forbidden ? "openat" : "KVM_RUN on the VM fd", status);
		ck_assert_msg(got == 1 && steps[0] == PASSED_ALLOWED,
			      "variant %d: KVM_RUN on the last vCPU's number did not pass",
			      variant);
	}
}
END_TEST

static Suite *sandbox_filter_load_suite(void)
{
	Suite *suite = suite_create("sandbox_filter_load");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_kernel_enforces_every_program, 0, SANDBOX_VARIANTS);
	suite_add_tcase(suite, tc);
	return suite;
}

int main(void)
{
	char why[160];
	if (!sandbox_available(why, sizeof why)) {
		printf("SKIP: %s\n", why);
		return 77;
	}
	return check_run_suite(sandbox_filter_load_suite());
}
