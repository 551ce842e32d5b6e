/* SPDX-License-Identifier: MIT */
/*
 * Small helper processes that outlive `minivmm run` by design: forked before the sandbox (which
 * allows no fork), they keep only the descriptors they were given and wait for minivmm to be
 * gone (end-of-file on a pipe or socket whose other end only minivmm holds), then do the one
 * thing the sandboxed VMM cannot or should not wait for: remove the control socket's file
 * (vmm/api/api_server.c), drop the last reference to the VM (host/teardown_handoff.c).
 */
#ifndef MINIVMM_HELPER_PROCESS_H
#define MINIVMM_HELPER_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

/* Forks a helper named `name` (PR_SET_NAME, at most 15 bytes shown) that closes every
 * descriptor but keep[0..keep_count), so a reader of minivmm's stdout or stderr sees
 * end-of-file when minivmm exits and not when the helper does, ignores the signals a terminal
 * or a shell sends to the whole process group (it ends by itself right after minivmm), and runs
 * helper_main(arg), which must end with _exit() and use only async-signal-safe calls (the parent
 * may have other threads). Returns the helper's pid in the parent, or a negative errno. */
pid_t helper_process_fork(const char *name, const int *keep, size_t keep_count,
			  void (*helper_main)(void *arg), void *arg);

#endif
