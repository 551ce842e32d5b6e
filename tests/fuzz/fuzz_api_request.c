/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the control socket's request handler (vmm/api/api_request.c), which parses what
 * any client sends (docs/api.md).
 *
 * The input is split at newlines into request lines, as the server splits a client's stream,
 * and each line goes to api_handle_request() against a stub backend with a little state (paused,
 * tracing, stopped), so that every command's success and error paths are reached.
 *
 * Invariants: every line gets a reply that is one JSON object on one line, with "ok" a boolean;
 * a refusal has a one-line "error" of bounded length; a success names a known command; the
 * backend is only ever called with checked arguments (vCPU 0-255, status 0-255, a trace path of
 * 1-4095 bytes without NUL).
 */
#include <errno.h>
#include <string.h>

#include "api/api_request.h"
#include "fuzz_common.h"

struct stub {
	int paused, tracing, stopped;
};

static int stub_status(void *ctx, json_t *reply, struct vmm_error *err)
{
	(void)err;
	struct stub *s = ctx;
	json_object_set_new(reply, "state", json_string(s->paused ? "paused" : "running"));
	return 0;
}

static int stub_stats(void *ctx, json_t *reply, struct vmm_error *err)
{
	(void)ctx, (void)err;
	json_object_set_new(reply, "records", json_integer(1));
	return 0;
}

static int stub_pause(void *ctx, json_t *reply, struct vmm_error *err)
{
	(void)reply;
	struct stub *s = ctx;
	if (s->paused)
		return vmm_error_set(err, -EALREADY, VMM_EXIT_USAGE, "already paused");
	s->paused = 1;
	return 0;
}

static int stub_resume(void *ctx, json_t *reply, struct vmm_error *err)
{
	(void)reply;
	struct stub *s = ctx;
	if (!s->paused)
		return vmm_error_set(err, -EALREADY, VMM_EXIT_USAGE, "not paused");
	s->paused = 0;
	return 0;
}

static int stub_regs(void *ctx, unsigned vcpu, json_t *reply, struct vmm_error *err)
{
	(void)ctx;
	FUZZ_CHECK(vcpu <= API_MAX_VCPU_ARG);
	if (vcpu > 0)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "regs: no vCPU %u", vcpu);
	json_object_set_new(reply, "rip", json_string("0x0000000000100000"));
	return 0;
}

static int stub_trace_start(void *ctx, const char *path, json_t *reply, struct vmm_error *err)
{
	struct stub *s = ctx;
	size_t len = strlen(path);
	FUZZ_CHECK(len >= 1 && len <= API_MAX_PATH);
	if (s->tracing)
		return vmm_error_set(err, -EBUSY, VMM_EXIT_USAGE, "trace: already tracing");
	s->tracing = 1;
	json_object_set_new(reply, "file", json_string(path));
	return 0;
}

static int stub_trace_stop(void *ctx, json_t *reply, struct vmm_error *err)
{
	(void)reply;
	struct stub *s = ctx;
	if (!s->tracing)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "trace: no trace is running");
	s->tracing = 0;
	return 0;
}

static int stub_snapshot(void *ctx, const char *path, json_t *reply, struct vmm_error *err)
{
	(void)ctx, (void)err;
	FUZZ_CHECK(path && *path);
	json_object_set_new(reply, "file", json_string(path));
	return 0;
}

static int stub_stop(void *ctx, int status, json_t *reply, struct vmm_error *err)
{
	struct stub *s = ctx;
	FUZZ_CHECK(status >= 0 && status <= 255);
	if (s->stopped)
		return vmm_error_set(err, -EALREADY, VMM_EXIT_USAGE, "already stopping");
	s->stopped = 1;
	json_object_set_new(reply, "status", json_integer(status));
	return 0;
}

static const char *const known[] = {"status", "stats",	  "pause", "resume", "regs",
				    "trace",  "snapshot", "stop",  "help"};

static void check_reply(const char *text)
{
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(strchr(text, '\n') == NULL);
	json_error_t jerr;
	json_t *reply = json_loads(text, 0, &jerr);
	FUZZ_CHECK(json_is_object(reply));
	json_t *ok = json_object_get(reply, "ok");
	FUZZ_CHECK(json_is_boolean(ok));
	if (json_is_false(ok)) {
		json_t *error = json_object_get(reply, "error");
		FUZZ_CHECK(json_is_string(error));
		FUZZ_CHECK(json_string_length(error) > 0 && json_string_length(error) < 600);
	} else {
		const char *cmd = json_string_value(json_object_get(reply, "cmd"));
		FUZZ_CHECK(cmd != NULL);
		int found = 0;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			found |= strcmp(cmd, known[i]) == 0;
		FUZZ_CHECK(found);
	}
	json_decref(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stub state = {0};
	const struct api_backend backend = {.ctx = &state,
					    .status = stub_status,
					    .stats = stub_stats,
					    .pause = stub_pause,
					    .resume = stub_resume,
					    .regs = stub_regs,
					    .trace_start = stub_trace_start,
					    .trace_stop = stub_trace_stop,
					    .stop = stub_stop,
					    .snapshot = stub_snapshot};
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		if (len > API_MAX_REQUEST)
			len = API_MAX_REQUEST; /* the server refuses longer lines before parsing */
		char *reply = api_handle_request(&backend, p, len);
		check_reply(reply);
		free(reply);
		p = nl ? nl + 1 : end;
	}
	return 0;
}
