/* SPDX-License-Identifier: MIT */
/*
 * Pausing a running VM (the control socket's pause and resume): every vCPU leaves KVM_RUN and
 * waits on a condition variable until resumed, so a paused VM uses no CPU.
 *
 * Costs nothing on the exit path: a pause kicks the vCPUs (the stop request's signal and
 * kvm_run.immediate_exit, api.rst section 5), and only a kicked vCPU, on that slow path, looks
 * at the pause flag (vm_pause_park_if_requested, from the run loop).
 */
#ifndef MINIVMM_PAUSE_H
#define MINIVMM_PAUSE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/vmm_error.h"

struct vm;
struct vcpu;

struct vm_pause {
	atomic_bool requested;
	pthread_mutex_t lock;	/* serialises pause/resume and guards parked */
	pthread_cond_t changed; /* a vCPU parked, or the pause ended */
	unsigned parked;	/* vCPUs waiting in vm_pause_park_if_requested() */
	uint64_t since_ns;	/* CLOCK_MONOTONIC when the last pause took effect */
	uint64_t total_ns;	/* time spent paused before since_ns */
};

void vm_pause_init(struct vm_pause *p);
void vm_pause_destroy(struct vm_pause *p);

/* Kicks every vCPU and waits (at most timeout_ms) until each running one is parked. Returns 0,
 * -EALREADY if already paused, -ESHUTDOWN if the run is stopping, or -ETIMEDOUT (then the pause
 * is undone). Any thread but a vCPU's. */
int vm_pause(struct vm *vm, unsigned timeout_ms, struct vmm_error *err);

/* Lets the parked vCPUs run again. Returns 0 or -EALREADY if the VM was not paused. */
int vm_resume(struct vm *vm, struct vmm_error *err);

bool vm_is_paused(struct vm *vm);

/* Nanoseconds the VM has spent paused so far (the current pause included). */
uint64_t vm_paused_ns(struct vm *vm);

/* The run loop, after a kick only: parks this vCPU while a pause lasts (or until a stop). */
void vm_pause_park_if_requested(struct vcpu *vcpu);

/* The stop request's kick: parked vCPUs wake up and see the stop. */
void vm_pause_wake(struct vm *vm);

#endif
