/* SPDX-License-Identifier: MIT */
/*
 * The control socket's requests: one JSON object per line, `{"cmd": NAME, ...arguments}`, and one
 * reply line, `{"ok": true, ...}` or `{"ok": false, "error": "the cause and the fix"}`.
 *
 * Everything here treats the line as hostile: it is parsed by jansson (bounded by the server to
 * API_MAX_REQUEST bytes), every argument's type and range is checked, unknown commands and
 * arguments are refused. What a command does to the VM goes through struct api_backend, so the
 * fuzzer (tests/fuzz/fuzz_api_request.c) drives this file without a VM.
 */
#ifndef MINIVMM_API_REQUEST_H
#define MINIVMM_API_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#include "util/vmm_error.h"

#define API_MAX_REQUEST	 65536 /* bytes in one request line, newline excluded */
#define API_MAX_PATH	 4095  /* a path in a request: the trace file, the snapshot file */
#define API_MAX_VCPU_ARG 255
/* Every line minivmm sends: compact, keys in the order set, times to 10 significant digits. */
#define API_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* What the commands do. Each fills `reply` (an object that already has "ok" and "cmd") or
 * returns a negative errno with err set; err->msg becomes the reply's "error". */
struct api_backend {
	void *ctx;
	int (*status)(void *ctx, json_t *reply, struct vmm_error *err);
	int (*stats)(void *ctx, json_t *reply, struct vmm_error *err);
	int (*pause)(void *ctx, json_t *reply, struct vmm_error *err);
	int (*resume)(void *ctx, json_t *reply, struct vmm_error *err);
	int (*regs)(void *ctx, unsigned vcpu, json_t *reply, struct vmm_error *err);
	int (*trace_start)(void *ctx, const char *path, json_t *reply, struct vmm_error *err);
	int (*trace_stop)(void *ctx, json_t *reply, struct vmm_error *err);
	int (*stop)(void *ctx, int status, json_t *reply, struct vmm_error *err);
	int (*snapshot)(void *ctx, const char *path, json_t *reply, struct vmm_error *err);
};

/* Handles one request line (without its newline; need not be NUL-terminated). Returns the reply
 * line, malloc'd, without a newline; NULL only when out of memory. */
char *api_handle_request(const struct api_backend *backend, const char *line, size_t len);

/* An error reply for a problem found before parsing (e.g. an oversized line). */
char *api_error_reply(const char *message);

#endif
