/* SPDX-License-Identifier: MIT */
/*
 * Teardown off the user's path: KVM destroys a VM when the last reference to its fd goes, and
 * with the in-kernel PIT that waits out an SRCU grace period (measured here: close() of the VM
 * fd 13-15 ms, half of a whole `minivmm run` of the hello guest). A small helper process holds a
 * duplicate of the VM fd until minivmm has exited, then lets it go, so the wait happens after the
 * shell has its status. docs/performance.md has the figures.
 *
 * The helper is forked first, while minivmm is still small, and the VM fd follows later over a
 * socket (SCM_RIGHTS, unix(7)): a fork copies the parent's page tables and makes every private
 * page copy-on-write, so forking once the VM was built cost ~0.1 ms more, and the copy-on-write
 * faults after it ~0.1 ms more again, all on the way to the guest's first byte.
 */
#ifndef MINIVMM_TEARDOWN_HANDOFF_H
#define MINIVMM_TEARDOWN_HANDOFF_H

struct teardown_handoff {
	int socket_fd; /* this process's end, open (close-on-exec) until it exits; -1: no helper */
};

/* Forks the helper, which keeps only its end of a socket pair and waits there for the VM fd,
 * then for this process to end (end-of-file: only this process holds the other end). Call
 * early, after sandbox_note_inherited_fds() (the socket is minivmm's own) and while this process
 * may still fork. Best effort: without a helper (socket_fd -1), teardown stays on the exit
 * path. */
void teardown_handoff_prepare(struct teardown_handoff *h);

/* Sends the helper a duplicate of vm_fd: from now on the VM's last reference goes with the
 * helper, after this process has exited. Call before the sandbox (which allows no sendmsg).
 * Returns 0, or a negative errno (no helper, or the send failed): teardown then simply stays on
 * the exit path, so the caller may ignore it. */
int teardown_handoff_give(struct teardown_handoff *h, int vm_fd);

#endif
