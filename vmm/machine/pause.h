/* SPDX-License-Identifier: MIT */
/*
 * Pausing a running VM, the one mechanism for everybody who holds the guest: the control
 * socket's pause and resume (vm_pause/vm_resume) and the gdb stub's stops (vm_pause_hold/
 * vm_pause_release). Every vCPU leaves KVM_RUN and waits on a condition variable until no
 * holder is left, so a paused VM uses no CPU. Holders are independent: gdb continuing does not
 * resume a VM the control socket paused, and the other way round.
 *
 * Costs nothing on the exit path: a pause kicks the vCPUs (the stop request's signal and
 * kvm_run.immediate_exit, api.rst section 5), and only a kicked vCPU, on that slow path (or one
 * that stopped itself, vm_pause_hold from its own thread), looks at the pause
 * (vm_pause_park_if_requested, from the run loop).
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

/* Who holds the VM paused (a bit each). */
enum vm_pause_holder {
	VM_PAUSE_USER = 1u << 0,     /* the control socket: vm_pause/vm_resume */
	VM_PAUSE_DEBUGGER = 1u << 1, /* the gdb stub */
	VM_PAUSE_SLEEP = 1u << 2,    /* ACPI S3 until a wake event (sleep.c) */
};

struct vm_pause {
	atomic_uint holders;	/* enum vm_pause_holder bits; 0: the VM runs */
	atomic_uint held_vcpus; /* bit i: vCPU i stays parked while the others run (gdb's vCont) */
	pthread_mutex_t lock;	/* serialises pause/resume and guards parked */
	pthread_cond_t changed; /* a vCPU parked, or the pause ended */
	unsigned parked;	/* vCPUs waiting in vm_pause_park_if_requested() */
	uint64_t since_ns;	/* CLOCK_MONOTONIC when the user's last pause took effect */
	uint64_t total_ns;	/* time spent paused by the user before since_ns */
};

void vm_pause_init(struct vm_pause *p);
void vm_pause_destroy(struct vm_pause *p);

/* The user's pause: kicks every vCPU and waits (at most timeout_ms) until each running one is
 * parked. Returns 0, -EALREADY if already paused, -ESHUTDOWN if the run is stopping, or
 * -ETIMEDOUT (then the pause is undone). Any thread but a vCPU's. */
int vm_pause(struct vm *vm, unsigned timeout_ms, struct vmm_error *err);

/* Ends the user's pause. Returns 0 or -EALREADY if the user had not paused the VM. */
int vm_resume(struct vm *vm, struct vmm_error *err);

/* Whether anybody holds the VM paused (then no vCPU is in KVM_RUN once it has parked). */
bool vm_is_paused(struct vm *vm);

/* Nanoseconds the user has held the VM paused so far (the current pause included). */
uint64_t vm_paused_ns(struct vm *vm);

/* Takes a hold for holder and kicks every vCPU, without waiting; any thread, a vCPU's too (it
 * then parks when it returns to the run loop). If holder did not hold the VM yet, calls
 * on_first(ctx) under the pause's lock, before any vCPU can see the hold (the stop's reason:
 * the first stop after a release is the one reported), and returns true. */
bool vm_pause_hold(struct vm *vm, unsigned holder, void (*on_first)(void *ctx), void *ctx);

/* Whether holder holds the VM. */
bool vm_pause_held_by(struct vm *vm, unsigned holder);

/* Waits until every running vCPU is parked, kicking the ones that are not every 50 ms (a
 * kick is not queued: one that lands between two exits is taken, but the loop re-checks).
 * Returns 0, -ESHUTDOWN if the run stops meanwhile, or -ETIMEDOUT after timeout_ms. */
int vm_pause_wait_parked(struct vm *vm, unsigned timeout_ms);

/* Drops holder's hold; the vCPUs whose bit is set in keep_parked stay parked (until the next
 * release). */
void vm_pause_release(struct vm *vm, unsigned holder, unsigned keep_parked);

/* The run loop, after a kick or a stop of its own only: parks this vCPU while it is held (or
 * until the run stops). Also called once before the first KVM_RUN (gdb's --gdb-wait). */
void vm_pause_park_if_requested(struct vcpu *vcpu);

/* The stop request's kick: parked vCPUs wake up and see the stop. */
void vm_pause_wake(struct vm *vm);

#endif
