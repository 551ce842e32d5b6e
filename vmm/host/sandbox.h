/* SPDX-License-Identifier: MIT */
/*
 * The seccomp sandbox of `minivmm run` (docs/security.md): once the VM is built, the process
 * keeps only the system calls, and for ioctl only the KVM and terminal requests on the file
 * descriptors, that running the guest needs. Anything else raises SIGSYS, whose handler names
 * the call on stderr and exits with VMM_EXIT_SANDBOX_VIOLATION.
 */
#ifndef MINIVMM_SANDBOX_H
#define MINIVMM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/vmm_error.h"

struct vm;

/* Whether the kernel offers seccomp filters (the "Seccomp:" line of /proc/self/status) with
 * thread sync (seccomp(2), SECCOMP_FILTER_FLAG_TSYNC); if not, why, in why. */
bool sandbox_available(char *why, size_t why_len);

/* The sandbox part of `minivmm info`. */
void sandbox_print_info(FILE *out);

/* Records the file descriptors above 2 that this process inherited from its parent (e.g. a
 * shell's `exec 7<file`, a build tool's jobserver pipe), so that sandbox_confine_vm() can close
 * them: minivmm never uses them, and under the filter they would stay readable and writable.
 * Call it before minivmm opens anything. Returns 0, or a negative errno (out of memory): then
 * nothing is recorded and nothing will be closed. */
int sandbox_note_inherited_fds(void);

/* Where a violation also leaves its JSON result (`--result FILE`, cli/run_result.h), or -1 (the
 * default): the SIGSYS handler cannot open a file, so the caller opens it before the sandbox
 * and sets -1 again once it has written its own result there. */
void sandbox_report_violations_to(int result_fd);

/* Confines the whole process (every existing thread, and those created later) for the rest of
 * its life: no new privileges, the /dev/kvm system fd closed, the descriptors noted by
 * sandbox_note_inherited_fds() closed, the allowlist filter (compiled at build time, for this
 * VM's options, vCPU count and descriptors: sandbox_filter.h) loaded.
 * Called by vm_run() through vm_config.confine, after the console and trace threads started and
 * before any vCPU thread runs guest code. Returns 0 or a negative errno with err filled. */
int sandbox_confine_vm(struct vm *vm, struct vmm_error *err);

/* --api-sock: also allow what the control socket needs (accept4 on listen_fd; creating a new
 * trace file). -1: no control socket (the default). Call before vm_run. */
void sandbox_allow_control_socket(int listen_fd);

#endif
