/* SPDX-License-Identifier: MIT */
#include "api/api_request.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct api_command;
typedef int (*api_handler)(const struct api_backend *b, const struct api_command *c, json_t *req,
			   json_t *reply, struct vmm_error *err);

struct api_command {
	const char *name;
	const char *args;	    /* for help: the arguments it takes */
	const char *does;	    /* for help: one line */
	const char *const *allowed; /* argument names besides "cmd" and "id" */
	api_handler handle;
};

static int bad_argument(struct vmm_error *err, const char *cmd, const char *arg, const char *want)
{
	return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "%s: '%s' must be %s (see help)", cmd,
			     arg, want);
}

/* An integer argument in [lo, hi]; absent: *value unchanged. */
static int int_argument(json_t *req, const char *cmd, const char *arg, long lo, long hi,
			long *value, struct vmm_error *err)
{
	json_t *v = json_object_get(req, arg);
	if (!v)
		return 0;
	char want[64];
	snprintf(want, sizeof want, "an integer from %ld to %ld", lo, hi);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return bad_argument(err, cmd, arg, want);
	*value = (long)json_integer_value(v);
	return 0;
}

static int do_status(const struct api_backend *b, const struct api_command *c, json_t *req,
		     json_t *reply, struct vmm_error *err)
{
	(void)c, (void)req;
	return b->status(b->ctx, reply, err);
}

static int do_stats(const struct api_backend *b, const struct api_command *c, json_t *req,
		    json_t *reply, struct vmm_error *err)
{
	(void)c, (void)req;
	return b->stats(b->ctx, reply, err);
}

static int do_pause(const struct api_backend *b, const struct api_command *c, json_t *req,
		    json_t *reply, struct vmm_error *err)
{
	(void)c, (void)req;
	return b->pause(b->ctx, reply, err);
}

static int do_resume(const struct api_backend *b, const struct api_command *c, json_t *req,
		     json_t *reply, struct vmm_error *err)
{
	(void)c, (void)req;
	return b->resume(b->ctx, reply, err);
}

static int do_regs(const struct api_backend *b, const struct api_command *c, json_t *req,
		   json_t *reply, struct vmm_error *err)
{
	long vcpu = 0;
	int ret = int_argument(req, c->name, "vcpu", 0, API_MAX_VCPU_ARG, &vcpu, err);
	return ret ?: b->regs(b->ctx, (unsigned)vcpu, reply, err);
}

/* A "file" argument: a new file's path (trace, snapshot). */
static int path_argument(json_t *req, const struct api_command *c, const char **path,
			 struct vmm_error *err)
{
	json_t *file = json_object_get(req, "file");
	if (!file)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "%s: give {\"file\": PATH}",
				     c->name);
	if (!json_is_string(file) || json_string_length(file) == 0 ||
	    json_string_length(file) > API_MAX_PATH ||
	    strlen(json_string_value(file)) != json_string_length(file))
		return bad_argument(err, c->name, "file",
				    "a path of 1 to 4095 bytes without NUL (a new file)");
	*path = json_string_value(file);
	return 0;
}

static int do_trace(const struct api_backend *b, const struct api_command *c, json_t *req,
		    json_t *reply, struct vmm_error *err)
{
	json_t *file = json_object_get(req, "file"), *stop = json_object_get(req, "stop");
	if (file && stop)
		return vmm_error_set(
		    err, -EINVAL, VMM_EXIT_USAGE,
		    "trace: give either \"file\" (start) or \"stop\": true, not both");
	if (stop) {
		if (!json_is_true(stop))
			return bad_argument(err, c->name, "stop", "true");
		return b->trace_stop(b->ctx, reply, err);
	}
	if (!file)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "trace: give {\"file\": PATH} to start a trace or {\"stop\": "
				     "true} to end it");
	const char *path = NULL;
	int ret = path_argument(req, c, &path, err);
	return ret ?: b->trace_start(b->ctx, path, reply, err);
}

static int do_snapshot(const struct api_backend *b, const struct api_command *c, json_t *req,
		       json_t *reply, struct vmm_error *err)
{
	const char *path = NULL;
	int ret = path_argument(req, c, &path, err);
	return ret ?: b->snapshot(b->ctx, path, reply, err);
}

static int do_stop(const struct api_backend *b, const struct api_command *c, json_t *req,
		   json_t *reply, struct vmm_error *err)
{
	long status = 0;
	int ret = int_argument(req, c->name, "status", 0, 255, &status, err);
	return ret ?: b->stop(b->ctx, (int)status, reply, err);
}

static int do_help(const struct api_backend *b, const struct api_command *c, json_t *req,
		   json_t *reply, struct vmm_error *err);

static const char *const no_args[] = {NULL};
static const char *const regs_args[] = {"vcpu", NULL};
static const char *const trace_args[] = {"file", "stop", NULL};
static const char *const stop_args[] = {"status", NULL};
static const char *const snapshot_args[] = {"file", NULL};

static const struct api_command commands[] = {
    {"status", "", "state, uptime, and each vCPU's exits and time split", no_args, do_status},
    {"stats", "", "the --stats figures so far: exits by reason and by device access, times",
     no_args, do_stats},
    {"pause", "", "every vCPU out of KVM_RUN and parked until resume (no CPU used)", no_args,
     do_pause},
    {"resume", "", "lets a paused VM run again", no_args, do_resume},
    {"regs", "\"vcpu\": N (default 0)", "one vCPU's registers, as the stop report prints them",
     regs_args, do_regs},
    {"trace", "\"file\": PATH | \"stop\": true",
     "starts a --trace of every exit into a new file PATH, or ends it", trace_args, do_trace},
    {"stop", "\"status\": 0-255 (default 0)", "ends the run; minivmm exits with that status",
     stop_args, do_stop},
    {"snapshot", "\"file\": PATH",
     "pauses the VM, saves it to a new file PATH (docs/snapshot.md), resumes it", snapshot_args,
     do_snapshot},
    {"help", "", "this list", no_args, do_help},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static int do_help(const struct api_backend *b, const struct api_command *c, json_t *req,
		   json_t *reply, struct vmm_error *err)
{
	(void)b, (void)c, (void)req, (void)err;
	json_t *list = json_array();
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:s}", "cmd", commands[i].name, "args",
						commands[i].args, "does", commands[i].does));
	json_object_set_new(reply, "commands", list);
	json_object_set_new(
	    reply, "events",
	    json_pack("[s,s,s,s,s]", "paused", "resumed", "reboot", "powered_off", "stopped"));
	return 0;
}

static bool allowed_key(const struct api_command *c, const char *key)
{
	if (strcmp(key, "cmd") == 0 || strcmp(key, "id") == 0)
		return true;
	for (const char *const *a = c->allowed; *a; a++)
		if (strcmp(*a, key) == 0)
			return true;
	return false;
}

static char *dump(json_t *reply)
{
	char *text = json_dumps(reply, API_JSON_FLAGS);
	json_decref(reply);
	return text;
}

/* Keeps only printable ASCII of what a client sent, for an error message. */
static void quote_for_message(char *out, size_t cap, const char *in)
{
	size_t n = 0;
	for (; *in && n + 4 < cap; in++)
		out[n++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
	if (*in && n + 4 >= cap)
		out[n++] = '.', out[n++] = '.', out[n++] = '.';
	out[n] = '\0';
}

char *api_error_reply(const char *message)
{
	/* A message may quote the client's bytes (jansson's parse errors do), which need not be
	 * UTF-8: a JSON string must be. */
	char text[600];
	quote_for_message(text, sizeof text, message);
	return dump(json_pack("{s:b, s:s}", "ok", 0, "error", text));
}

char *api_handle_request(const struct api_backend *backend, const char *line, size_t len)
{
	struct vmm_error err = {0};
	json_error_t jerr;
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req) {
		char text[sizeof err.msg];
		snprintf(text, sizeof text,
			 "request is not JSON (%.120s at byte %d): send one object per line, e.g. "
			 "{\"cmd\":\"help\"}",
			 jerr.text, jerr.position);
		return api_error_reply(text);
	}
	json_t *id = json_object_get(req, "id");
	if (!json_is_object(req) || !json_is_string(json_object_get(req, "cmd"))) {
		json_decref(req);
		return api_error_reply(
		    "a request is an object with a string \"cmd\", e.g. "
		    "{\"cmd\":\"status\"}: send {\"cmd\":\"help\"} for the list");
	}
	json_t *cmd = json_object_get(req, "cmd");
	const char *name = json_string_value(cmd);
	const struct api_command *c = NULL;
	for (size_t i = 0; i < COMMAND_COUNT && !c && strlen(name) == json_string_length(cmd); i++)
		if (strcmp(commands[i].name, name) == 0)
			c = &commands[i];
	char quoted[64];
	json_t *reply = NULL;
	int ret = 0;
	if (!c) {
		quote_for_message(quoted, sizeof quoted, name);
		ret = vmm_error_set(&err, -ENOENT, VMM_EXIT_USAGE,
				    "unknown command '%s': send {\"cmd\":\"help\"} for the list",
				    quoted);
	}
	const char *key;
	json_t *value;
	json_object_foreach(req, key, value)
	{
		if (!ret && !allowed_key(c, key)) {
			quote_for_message(quoted, sizeof quoted, key);
			ret =
			    vmm_error_set(&err, -EINVAL, VMM_EXIT_USAGE,
					  "%s takes no argument '%s' (see help)", c->name, quoted);
		}
	}
	if (!ret) {
		reply = json_pack("{s:b, s:s}", "ok", 1, "cmd", c->name);
		ret = c->handle(backend, c, req, reply, &err);
	}
	if (ret) {
		json_decref(reply);
		char text[sizeof err.msg + 8];
		quote_for_message(text, sizeof text, err.msg[0] ? err.msg : "failed");
		reply = json_pack("{s:b, s:s}", "ok", 0, "error", text);
	}
	if (id && (json_is_string(id) || json_is_integer(id)))
		json_object_set(reply, "id", id);
	json_decref(req);
	return dump(reply);
}
