/* SPDX-License-Identifier: MIT */
/*
 * The machine's end of the power and wake lines (devices/device_host.h): the ACPI sleep states a
 * guest enters through PM1_CNT.SLP_EN (devices/acpi_pm.c; ACPI 6.5 sections 7.4 and 16).
 *
 * S5, soft-off: the run ends with status 0 and the reason "guest powered off"
 * (STOP_POWER_OFF, a stop like any other: the first raised wins).
 *
 * S3, suspend to RAM: a sleep thread (started at the first S3) holds every vCPU as the pause's
 * VM_PAUSE_SLEEP holder (pause.h: parked on a condition variable, no CPU used; the control
 * socket's resume and gdb's continue are other holders and cannot wake it) and waits for a wake
 * event: the RTC alarm if the guest set PM1_EN.RTC_EN (and AIE in the RTC, which needs the
 * irqchip), or a key on the console. Guest memory and every device keep their state. At the wake it
 * puts the boot processor at the FACS waking vector (at PC_ACPI_FACS_GPA: X_Firmware_Waking_Vector
 * at offset 24 if non-zero, entered in 32-bit protected mode, flat, paging off; else the 32-bit
 * Firmware_Waking_Vector at offset 12, in real mode with CS = vector >> 4, IP = vector & 0xF),
 * puts every AP back into wait-for-SIPI for the OS to start again, tells the PM block (WAK_STS,
 * RTC_STS for the alarm) and releases its hold. With no FACS or no usable vector there is
 * nothing to resume, and as PC firmware then boots from scratch, the wake is a platform reset
 * (status 87, or a reboot with --reboot), with a line saying why.
 */
#ifndef MINIVMM_SLEEP_H
#define MINIVMM_SLEEP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "devices/device_host.h"

struct vm;

enum sleep_phase {
	SLEEP_AWAKE,
	SLEEP_ENTERING, /* S3 asked for: the sleep thread pauses the vCPUs */
	SLEEP_ASLEEP,	/* every vCPU parked: waiting for a wake event */
};

struct vm_sleep {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a sleep request, a wake event, or the run stopping */
	_Atomic enum sleep_phase phase;
	struct sleep_request request;
	atomic_bool rtc_alarm_active; /* the RTC's wake input */
	bool wake_pending;
	enum wake_source wake_source;
	bool thread_started, thread_failed;
	bool exiting; /* vm_sleep_destroy: the thread ends even if the run never stopped */
	pthread_t thread;
	unsigned suspends; /* S3 entries so far */
};

void vm_sleep_init(struct vm_sleep *s);
/* Ends and joins the sleep thread (after the run stopped). */
void vm_sleep_destroy(struct vm *vm);

/* S5. On the thread of the exit that asked (a vCPU's); the stop kicks every vCPU, so none runs
 * guest code after the write that powered off but to complete it. */
void vm_power_off(struct vm *vm);

/* S3: hands the sleep to the sleep thread and returns (the vCPU thread must go back to its loop
 * to be paused). Ignored while a sleep is under way. */
void vm_suspend(struct vm *vm, const struct sleep_request *request);

/* A device's wake input changed (device_host.h), any thread: wakes the VM if it sleeps (or is
 * falling asleep) and the source is enabled. The RTC alarm's level is kept while awake too, so
 * an alarm still unacknowledged at the S3 entry wakes at once, as on a PC. */
void vm_wake_input(struct vm *vm, enum wake_source source, bool active);

/* The stop request's kick: a sleep thread waiting for a wake event sees the stop. */
void vm_sleep_kick(struct vm *vm);

#endif
