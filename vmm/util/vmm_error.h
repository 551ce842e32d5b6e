/* SPDX-License-Identifier: MIT */
/*
 * Errors: a function returns 0 or a negative errno, and fills a struct vmm_error with one line
 * saying what went wrong and how to fix it. Only main.c turns it into the user's message and the
 * process exit status (enum vmm_exit_status), so no library code ever calls exit().
 */
#ifndef MINIVMM_VMM_ERROR_H
#define MINIVMM_VMM_ERROR_H

#include <stdarg.h>

/* Exit statuses of the minivmm process. A guest's own status (0-63 is unambiguous) passes through
 * unchanged; the values below are minivmm's own. Keep docs and --help in step with this list. */
enum vmm_exit_status {
	VMM_EXIT_USAGE = 64,	     /* bad command line or option value (also -m out of range) */
	VMM_EXIT_GUEST_IMAGE = 65,   /* guest file or snapshot malformed: not ELF, overlaps, CRC */
	VMM_EXIT_NO_GUEST_FILE = 66, /* guest file missing or unreadable */
	VMM_EXIT_KVM_UNAVAILABLE = 69,	  /* no /dev/kvm, wrong API version, missing capability */
	VMM_EXIT_INTERNAL = 70,		  /* a bug in minivmm */
	VMM_EXIT_HOST_RESOURCES = 71,	  /* host refused memory, threads or file descriptors */
	VMM_EXIT_NO_PERMISSION = 77,	  /* /dev/kvm not accessible to this user */
	VMM_EXIT_GUEST_TRIPLE_FAULT = 80, /* KVM_EXIT_SHUTDOWN */
	VMM_EXIT_GUEST_HALTED = 81,	  /* HLT with nothing to wake the vCPU */
	VMM_EXIT_GUEST_EMULATION = 82,	  /* KVM_EXIT_INTERNAL_ERROR: KVM could not emulate */
	VMM_EXIT_GUEST_ENTRY_FAILED = 83, /* KVM_EXIT_FAIL_ENTRY: invalid guest state */
	VMM_EXIT_GUEST_UNKNOWN_EXIT = 84, /* an exit reason minivmm does not handle */
	VMM_EXIT_STRICT_IO = 85,	  /* --strict-io: access no device claims */
	VMM_EXIT_USER_QUIT = 86,	  /* Ctrl-A x */
	VMM_EXIT_SANDBOX_VIOLATION = 88,  /* the seccomp sandbox caught a forbidden syscall */
	VMM_EXIT_GUEST_RESET = 87,	  /* the guest reset the machine (i8042 0xFE, port 0xCF9) */
	VMM_EXIT_TIMEOUT = 124,		  /* --timeout expired (as timeout(1)) */
	VMM_EXIT_SIGNAL_BASE = 128,	  /* stopped by SIGINT/SIGTERM: 128 + signal number */
};

struct vmm_error {
	enum vmm_exit_status status; /* what the process exits with if this error ends it */
	char msg[512];		     /* one line: the cause, then the fix */
};

/* Records status and a printf-style message in err (if err is not NULL); returns -errnum so that
 * callers can write `return vmm_error_set(err, -ENOENT, VMM_EXIT_NO_GUEST_FILE, "...")`. */
int vmm_error_set(struct vmm_error *err, int neg_errno, enum vmm_exit_status status,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Puts a printf-style context and ": " before err's message ("bench pio_userspace: ..."), for a
 * caller that knows where an error happened; an error that came without a status gets
 * VMM_EXIT_INTERNAL (whoever failed forgot to set one). Returns neg_errno. */
int vmm_error_prefix(struct vmm_error *err, int neg_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
