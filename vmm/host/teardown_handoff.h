/* SPDX-License-Identifier: MIT */
/*
 * Teardown off the user's path: KVM destroys a VM when the last reference to its fd goes, and
 * with the in-kernel PIT that waits out an SRCU grace period (measured here: close() of the VM
 * fd 13-15 ms, half of a whole `minivmm run` of the hello guest). A small helper process holds a
 * duplicate of the VM fd until minivmm has exited, then lets it go, so the wait happens after the
 * shell has its status. docs/performance.md has the figures.
 */
#ifndef MINIVMM_TEARDOWN_HANDOFF_H
#define MINIVMM_TEARDOWN_HANDOFF_H

/* Forks the helper, which keeps only vm_fd and waits for this process to end (a pipe whose
 * write end only this process holds, close-on-exec). Call while this process may still fork
 * (before the sandbox) and after every mapping it should not inherit is MADV_DONTFORK (guest
 * RAM). Returns 0, or a negative errno: then nothing changed and teardown simply stays on the
 * exit path, so the caller may ignore it. */
int teardown_handoff_start(int vm_fd);

#endif
