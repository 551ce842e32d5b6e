#include "machine/stop.h"

#include <pthread.h>

/* Serialises raisers so that status is written exactly once, before reason becomes visible. */
static pthread_mutex_t raise_lock = PTHREAD_MUTEX_INITIALIZER;

void stop_request_init(struct stop_request *stop)
{
	atomic_init(&stop->reason, STOP_NONE);
	stop->status = 0;
	stop->kick = NULL;
	stop->kick_ctx = NULL;
}

bool stop_request_raise(struct stop_request *stop, enum stop_reason reason, int status)
{
	bool first = false;
	pthread_mutex_lock(&raise_lock);
	if (atomic_load_explicit(&stop->reason, memory_order_relaxed) == STOP_NONE) {
		stop->status = status;
		atomic_store_explicit(&stop->reason, reason, memory_order_release);
		first = true;
	}
	pthread_mutex_unlock(&raise_lock);
	if (first && stop->kick)
		stop->kick(stop->kick_ctx);
	return first;
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
	}
	return "unknown";
}
