/* SPDX-License-Identifier: MIT */
#include "host/helper_process.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Closes every descriptor from `from` up, except those in keep: close_range over each gap. */
static void close_all_but(const int *keep, size_t keep_count)
{
	unsigned from = 0;
	for (;;) {
		/* the lowest kept descriptor at or above `from` */
		long next = -1;
		for (size_t i = 0; i < keep_count; i++)
			if (keep[i] >= 0 && (unsigned)keep[i] >= from &&
			    (next < 0 || keep[i] < next))
				next = keep[i];
		if (next < 0) {
			close_range(from, ~0u, 0);
			return;
		}
		if ((unsigned)next > from)
			close_range(from, (unsigned)next - 1, 0);
		from = (unsigned)next + 1;
	}
}

pid_t helper_process_fork(const char *name, const int *keep, size_t keep_count,
			  void (*helper_main)(void *arg), void *arg)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;
	close_all_but(keep, keep_count);
	static const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP};
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_IGN);
	prctl(PR_SET_NAME, name);
	helper_main(arg);
	_exit(0); /* helper_main should not return; if it does, end here all the same */
}
