/* SPDX-License-Identifier: MIT */
#include "machine/stop.h"

#include <pthread.h>

/* Serialises raisers so that status is written exactly once, before reason becomes visible. */
static pthread_mutex_t raise_lock = PTHREAD_MUTEX_INITIALIZER;

void stop_request_init(struct stop_request *stop)
{
	atomic_init(&stop->reason, STOP_NONE);
	stop->status = 0;
	stop->guest_port = 0;
	stop->guest_value = 0;
	stop->kick = NULL;
	stop->kick_ctx = NULL;
}

static bool raise_stop(struct stop_request *stop, enum stop_reason reason, int status,
		       uint16_t guest_port, uint32_t guest_value)
{
	bool first = false;
	pthread_mutex_lock(&raise_lock);
	if (atomic_load_explicit(&stop->reason, memory_order_relaxed) == STOP_NONE) {
		stop->status = status;
		stop->guest_port = guest_port;
		stop->guest_value = guest_value;
		atomic_store_explicit(&stop->reason, reason, memory_order_release);
		first = true;
	}
	pthread_mutex_unlock(&raise_lock);
	if (first && stop->kick)
		stop->kick(stop->kick_ctx);
	return first;
}

bool stop_request_raise(struct stop_request *stop, enum stop_reason reason, int status)
{
	return raise_stop(stop, reason, status, 0, 0);
}

bool stop_request_raise_guest_exit(struct stop_request *stop, int status, uint16_t port,
				   uint32_t value)
{
	return raise_stop(stop, STOP_GUEST_EXIT, status, port, value);
}

bool stop_reason_is_guest_power_off(enum stop_reason reason)
{
	return reason == STOP_GUEST_EXIT || reason == STOP_POWER_OFF;
}

const char *stop_reason_name(enum stop_reason reason)
{
	switch (reason) {
	case STOP_NONE:
		return "running";
	case STOP_GUEST_EXIT:
		return "guest exit";
	case STOP_GUEST_FAULT:
		return "guest fault";
	case STOP_STRICT_IO:
		return "unclaimed I/O (--strict-io)";
	case STOP_TIMEOUT:
		return "timeout";
	case STOP_USER_QUIT:
		return "quit (Ctrl-A x)";
	case STOP_SIGNAL:
		return "signal";
	case STOP_VMM_ERROR:
		return "VMM error";
	case STOP_GUEST_RESET:
		return "guest reset";
	case STOP_API:
		return "stop command";
	case STOP_POWER_OFF:
		return "guest powered off";
	}
	return "unknown";
}
