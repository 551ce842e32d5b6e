/* SPDX-License-Identifier: MIT */
/*
 * Why a VM stops. Any thread may ask (a device on the vCPU thread, the console thread on Ctrl-A x,
 * the main thread on a timeout or signal); the first request wins and later ones are ignored, so
 * the reported cause is the one that really ended the run.
 */
#ifndef MINIVMM_STOP_H
#define MINIVMM_STOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

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
	STOP_POWER_OFF,	  /* the guest entered ACPI S5 (soft-off): status 0 (sleep.h) */
};

struct stop_request {
	atomic_int reason; /* enum stop_reason; STOP_NONE while running */
	int status;	   /* process exit status for this stop (written before reason) */
	/* STOP_GUEST_EXIT: the exit port written and the value the guest wrote, as it wrote it
	 * (before the port's rule made a status of it); also written before reason. */
	uint16_t guest_port;
	uint32_t guest_value;
	void (*kick)(void *ctx); /* makes every vCPU leave KVM_RUN promptly */
	void *kick_ctx;
};

void stop_request_init(struct stop_request *stop);

/* Returns true if this call was the first (its reason and status stick). */
bool stop_request_raise(struct stop_request *stop, enum stop_reason reason, int status);

/* STOP_GUEST_EXIT from an exit port: also records the port and the value the guest wrote. */
bool stop_request_raise_guest_exit(struct stop_request *stop, int status, uint16_t port,
				   uint32_t value);

static inline bool stop_requested(struct stop_request *stop)
{
	return atomic_load_explicit(&stop->reason, memory_order_acquire) != STOP_NONE;
}

const char *stop_reason_name(enum stop_reason reason);

/* Did the guest itself ask to power off (an exit port; an ACPI S5 sleep belongs here too)? The
 * control socket's "powered_off" event. */
bool stop_reason_is_guest_power_off(enum stop_reason reason);

#endif
