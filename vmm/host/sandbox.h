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

/* Whether the kernel offers seccomp filters (the "Seccomp:" line of /proc/self/status) and
 * libseccomp works here; if not, why, in why. */
bool sandbox_available(char *why, size_t why_len);

/* The sandbox part of `minivmm info`. */
void sandbox_print_info(FILE *out);

/* Confines the whole process (every existing thread, and those created later) for the rest of
 * its life: no new privileges, the /dev/kvm system fd closed, the allowlist filter loaded.
 * Called by vm_run() through vm_config.confine, after the console and trace threads started and
 * before any vCPU thread runs guest code. Returns 0 or a negative errno with err filled. */
int sandbox_confine_vm(struct vm *vm, struct vmm_error *err);

/* --api-sock: also allow what the control socket needs (accept4 on listen_fd; creating a new
 * trace file). -1: no control socket (the default). Call before vm_run. */
void sandbox_allow_control_socket(int listen_fd);

#endif
