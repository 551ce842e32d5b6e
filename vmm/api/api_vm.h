/* SPDX-License-Identifier: MIT */
/* The control socket's commands acting on a running struct vm (api_request.h's backend). */
#ifndef MINIVMM_API_VM_H
#define MINIVMM_API_VM_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "api/api_request.h"

struct vm;

struct api_vm {
	struct vm *vm;
	uint64_t start_ns;
	int proc_stat_fd; /* /proc/self/stat, opened before the sandbox; -1 if unreadable */
	long clock_ticks; /* sysconf(_SC_CLK_TCK) */
	FILE *trace;	  /* a trace started with the trace command, or NULL */
	char trace_path[API_MAX_PATH + 1];
	/* Sends an event line to every client (the server's). Takes the reference. */
	void (*emit)(void *server, json_t *event);
	void *server;
};

void api_vm_init(struct api_vm *a, struct vm *vm);
struct api_backend api_vm_backend(struct api_vm *a);
/* Ends a trace still running and closes what api_vm_init opened. */
void api_vm_finish(struct api_vm *a);

#endif
