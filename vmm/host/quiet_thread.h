/* SPDX-License-Identifier: MIT */
/*
 * Helper threads that take no asynchronous signal: SIGINT, SIGTERM, SIGUSR2 and the vCPU kick
 * are meant for the threads that wait for them (vm_run(), the vCPU threads), and the kernel
 * delivers a process-directed signal to any thread that does not block it.
 */
#ifndef MINIVMM_QUIET_THREAD_H
#define MINIVMM_QUIET_THREAD_H

#include <pthread.h>

/* pthread_create() with every asynchronous signal blocked in the new thread. The synchronous
 * ones (SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL) stay deliverable: blocked, they would kill the
 * process without a word, and SIGSYS is the sandbox's report of a forbidden call (sandbox.c).
 * The caller's mask is unchanged. Returns 0 or a positive error number, as pthread_create. */
int quiet_thread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
			void *arg);

#endif
