/* SPDX-License-Identifier: MIT */
/*
 * Timed waits on condition variables against CLOCK_MONOTONIC, so that a step of the host's wall
 * clock neither cuts a wait short nor stretches it (pthread_cond_timedwait uses the clock the
 * condition variable was created with; the default is CLOCK_REALTIME).
 */
#ifndef MINIVMM_MONOTONIC_WAIT_H
#define MINIVMM_MONOTONIC_WAIT_H

#include <pthread.h>
#include <time.h>

/* A condition variable whose timed waits take CLOCK_MONOTONIC deadlines. */
static inline void monotonic_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

/* The CLOCK_MONOTONIC time `ms` milliseconds from now, for pthread_cond_timedwait. */
static inline void monotonic_deadline_after_ms(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

#endif
