/*
 * Why a VM stops. Any thread may ask (a device on the vCPU thread, the console thread on Ctrl-A x,
 * the main thread on a timeout or signal); the first request wins and later ones are ignored, so
 * the reported cause is the one that really ended the run.
 */
#ifndef MINIVMM_STOP_H
#define MINIVMM_STOP_H

#include <stdatomic.h>
#include <stdbool.h>

enum stop_reason {
	STOP_NONE = 0,
	STOP_GUEST_EXIT,  /* the guest wrote an exit port; status is the guest's */
	STOP_GUEST_FAULT, /* triple fault, HLT, emulation failure...: see the vCPU's report */
	STOP_STRICT_IO,	  /* unclaimed access with --strict-io */
	STOP_TIMEOUT,
	STOP_USER_QUIT, /* Ctrl-A x */
	STOP_SIGNAL,
	STOP_VMM_ERROR,
	STOP_GUEST_RESET, /* i8042 0xFE or port 0xCF9 without --reboot (reboot.h) */
	STOP_API,	  /* the control socket's stop command, with the client's status */
};

struct stop_request {
	atomic_int reason;	 /* enum stop_reason; STOP_NONE while running */
	int status;		 /* process exit status for this stop (written before reason) */
	void (*kick)(void *ctx); /* makes every vCPU leave KVM_RUN promptly */
	void *kick_ctx;
};

void stop_request_init(struct stop_request *stop);

/* Returns true if this call was the first (its reason and status stick). */
bool stop_request_raise(struct stop_request *stop, enum stop_reason reason, int status);

static inline bool stop_requested(struct stop_request *stop)
{
	return atomic_load_explicit(&stop->reason, memory_order_acquire) != STOP_NONE;
}

const char *stop_reason_name(enum stop_reason reason);

#endif
