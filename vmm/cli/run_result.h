/* SPDX-License-Identifier: MIT */
/*
 * How a `minivmm run` ended, for people and for programs (README, "Exit statuses"):
 *
 * - the exit status alone cannot say who chose it: a guest writing QEMU's isa-debug-exit port
 *   0xf4 can end with 65 or 143 too. minivmm always prints its own reason on stderr when it ends
 *   a run itself, and says so when a guest's status needs a word (run_result_note_guest_exit);
 * - `--result FILE` writes one JSON object, whoever ended the run:
 *     {"ended_by": "guest" | "minivmm" | "user" | "signal", "reason": "...", "status": N,
 *      "guest_value": V or null, "exit_port": "0x501" or "0xf4" or null}
 *   ended_by is "guest" only for an exit-port write (guest_value is the value as written,
 *   exit_port the port); "user" is Ctrl-A x, "signal" SIGINT/SIGTERM; everything else,
 *   guest faults, resets, timeouts and every refusal included, is "minivmm". The sandbox's
 *   SIGSYS handler writes the same object itself (sandbox.c).
 */
#ifndef MINIVMM_RUN_RESULT_H
#define MINIVMM_RUN_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/stop.h"
#include "util/vmm_error.h"

struct vm;

enum run_ended_by {
	RUN_ENDED_BY_GUEST,
	RUN_ENDED_BY_MINIVMM,
	RUN_ENDED_BY_USER,
	RUN_ENDED_BY_SIGNAL
};

struct run_outcome {
	enum run_ended_by ended_by;
	int status;	  /* the process exit status */
	char reason[600]; /* one line */
	bool guest_exit;  /* guest_value and exit_port are meaningful */
	uint16_t exit_port;
	uint32_t guest_value;
};

/* A run refused or failed before or while running (err as printed; prefix, e.g. the image's
 * name, goes in front of the message when not NULL). */
void run_outcome_from_error(struct run_outcome *o, const char *prefix, const struct vmm_error *err);

/* A run that ran: from vm->stop, the vCPUs' reports and the configuration. */
void run_outcome_from_vm(struct run_outcome *o, const struct vm *vm);

/* On stderr after a guest's exit-port write, when the status needs a word: a value above 63 on
 * minivmm's port (the run ends with 63), or a status of 64 or more from port 0xf4 (the guest's,
 * not one of minivmm's). Prints nothing otherwise. */
void run_result_note_guest_exit(FILE *out, const struct stop_request *stop);

/* The JSON object, one line ending in '\n', into buf (NUL-terminated; the reason is cut short
 * to fit). Returns its length. */
size_t run_outcome_json(const struct run_outcome *o, char *buf, size_t len);

/* Opens (creates or truncates) the --result file now, before the sandbox forbids open(2): 0 and
 * *fd, or -errno with err (status 64). */
int run_result_open(const char *path, int *fd, struct vmm_error *err);

/* Writes the object to fd and closes it: 0 or -errno. */
int run_result_write(int fd, const struct run_outcome *o);

#endif
