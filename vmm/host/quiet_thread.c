/* SPDX-License-Identifier: MIT */
#include "host/quiet_thread.h"

#include <signal.h>

int quiet_thread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
			void *arg)
{
	static const int synchronous[] = {SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
	sigset_t blocked, saved;
	sigfillset(&blocked);
	for (unsigned i = 0; i < sizeof synchronous / sizeof synchronous[0]; i++)
		sigdelset(&blocked, synchronous[i]);
	/* A new thread inherits its creator's mask: set it around the creation only. */
	pthread_sigmask(SIG_SETMASK, &blocked, &saved);
	int ret = pthread_create(thread, attr, start, arg);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return ret;
}
