/* SPDX-License-Identifier: MIT */
#include "host/teardown_handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "host/helper_process.h"

/* The helper holds vm_fd and the pipe's read end, and waits for end-of-file: the last write end
 * closes when minivmm exits. Its own exit then closes vm_fd, the last reference, and KVM tears
 * the VM down in this process instead of minivmm's. */
static void wait_for_minivmm_then_release(void *arg)
{
	int wait_fd = *(const int *)arg;
	for (;;) {
		char byte;
		ssize_t n = read(wait_fd, &byte, 1);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	_exit(0);
}

int teardown_handoff_start(int vm_fd)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	const int keep[] = {vm_fd, fds[0]};
	pid_t pid =
	    helper_process_fork("minivmm-release", keep, 2, wait_for_minivmm_then_release, &fds[0]);
	close(fds[0]);
	if (pid < 0)
		close(fds[1]);
	/* else fds[1] stays open until this process exits: that end-of-file is the helper's cue. */
	return pid < 0 ? (int)pid : 0;
}
