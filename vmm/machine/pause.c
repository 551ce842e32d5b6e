/* SPDX-License-Identifier: MIT */
#include "machine/pause.h"

#include <errno.h>
#include <time.h>

#include "host/monotonic_wait.h"
#include "machine/vm.h"
#include "util/monotonic_clock.h"

#define REKICK_MS 50

void vm_pause_init(struct vm_pause *p)
{
	atomic_init(&p->holders, 0);
	atomic_init(&p->held_vcpus, 0);
	pthread_mutex_init(&p->lock, NULL);
	monotonic_cond_init(&p->changed);
	p->parked = 0;
	p->since_ns = 0;
	p->total_ns = 0;
}

void vm_pause_destroy(struct vm_pause *p)
{
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
}

/* vCPUs whose thread runs the loop and can still park. */
static unsigned running_vcpus(struct vm *vm)
{
	unsigned n = 0;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		n += vm->vcpus[i].thread_started && !atomic_load(&vm->vcpus[i].finished);
	return n;
}

static void kick_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_kick(&vm->vcpus[i]);
}

/* With the lock held: waits until every running vCPU is parked, re-kicking on the way. */
static int wait_parked_locked(struct vm *vm, unsigned timeout_ms)
{
	struct vm_pause *p = &vm->pause;
	struct timespec until;
	monotonic_deadline_after_ms(&until, (long)timeout_ms);
	while (p->parked < running_vcpus(vm)) {
		if (stop_requested(&vm->stop))
			return -ESHUTDOWN;
		struct timespec now, step;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > until.tv_sec ||
		    (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
			return -ETIMEDOUT;
		monotonic_deadline_after_ms(&step, REKICK_MS);
		if (step.tv_sec > until.tv_sec ||
		    (step.tv_sec == until.tv_sec && step.tv_nsec > until.tv_nsec))
			step = until;
		if (pthread_cond_timedwait(&p->changed, &p->lock, &step) == ETIMEDOUT &&
		    p->parked < running_vcpus(vm))
			kick_all(vm);
	}
	return 0;
}

bool vm_pause_hold(struct vm *vm, unsigned holder, void (*on_first)(void *ctx), void *ctx)
{
	struct vm_pause *p = &vm->pause;
	pthread_mutex_lock(&p->lock);
	bool first = !(atomic_load(&p->holders) & holder);
	if (first) {
		if (on_first)
			on_first(ctx);
		atomic_fetch_or(&p->holders, holder);
	}
	pthread_mutex_unlock(&p->lock);
	if (first)
		kick_all(vm);
	return first;
}

bool vm_pause_held_by(struct vm *vm, unsigned holder)
{
	return atomic_load(&vm->pause.holders) & holder;
}

int vm_pause_wait_parked(struct vm *vm, unsigned timeout_ms)
{
	pthread_mutex_lock(&vm->pause.lock);
	int ret = wait_parked_locked(vm, timeout_ms);
	pthread_mutex_unlock(&vm->pause.lock);
	return ret;
}

void vm_pause_release(struct vm *vm, unsigned holder, unsigned keep_parked)
{
	struct vm_pause *p = &vm->pause;
	pthread_mutex_lock(&p->lock);
	atomic_store(&p->held_vcpus, keep_parked);
	atomic_fetch_and(&p->holders, ~holder);
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
}

int vm_pause(struct vm *vm, unsigned timeout_ms, struct vmm_error *err)
{
	struct vm_pause *p = &vm->pause;
	if (stop_requested(&vm->stop))
		return vmm_error_set(err, -ESHUTDOWN, VMM_EXIT_USAGE,
				     "the VM is stopping: nothing to pause");
	if (!vm_pause_hold(vm, VM_PAUSE_USER, NULL, NULL))
		return vmm_error_set(err, -EALREADY, VMM_EXIT_USAGE,
				     "the VM is already paused: send resume first");
	pthread_mutex_lock(&p->lock);
	int ret = wait_parked_locked(vm, timeout_ms);
	if (ret) {
		atomic_fetch_and(&p->holders, ~(unsigned)VM_PAUSE_USER);
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		if (ret == -ESHUTDOWN)
			return vmm_error_set(err, -ESHUTDOWN, VMM_EXIT_USAGE,
					     "the VM stopped while pausing");
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL,
				     "not every vCPU left the guest within %u ms (a reboot or a "
				     "halted vCPU without irqchip?): not paused, try again",
				     timeout_ms);
	}
	p->since_ns = monotonic_ns();
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int vm_resume(struct vm *vm, struct vmm_error *err)
{
	struct vm_pause *p = &vm->pause;
	pthread_mutex_lock(&p->lock);
	if (!(atomic_load(&p->holders) & VM_PAUSE_USER)) {
		pthread_mutex_unlock(&p->lock);
		return vmm_error_set(err, -EALREADY, VMM_EXIT_USAGE,
				     "the VM is not paused: nothing to resume");
	}
	p->total_ns += monotonic_ns() - p->since_ns;
	p->since_ns = 0;
	atomic_fetch_and(&p->holders, ~(unsigned)VM_PAUSE_USER);
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

bool vm_is_paused(struct vm *vm)
{
	return atomic_load(&vm->pause.holders) != 0;
}

uint64_t vm_paused_ns(struct vm *vm)
{
	struct vm_pause *p = &vm->pause;
	pthread_mutex_lock(&p->lock);
	uint64_t ns = p->total_ns + (p->since_ns ? monotonic_ns() - p->since_ns : 0);
	pthread_mutex_unlock(&p->lock);
	return ns;
}

static bool must_park(struct vm_pause *p, unsigned index)
{
	return atomic_load(&p->holders) || (atomic_load(&p->held_vcpus) & (1u << index));
}

void vm_pause_park_if_requested(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct vm_pause *p = &vm->pause;
	if (!must_park(p, vcpu->index))
		return;
	pthread_mutex_lock(&p->lock);
	p->parked++;
	pthread_cond_broadcast(&p->changed);
	/* No timeout: a paused vCPU uses no CPU. Releases and the stop's kick broadcast. */
	while (must_park(p, vcpu->index) && !stop_requested(&vm->stop))
		pthread_cond_wait(&p->changed, &p->lock);
	p->parked--;
	pthread_mutex_unlock(&p->lock);
}

void vm_pause_wake(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause.lock);
	pthread_cond_broadcast(&vm->pause.changed);
	pthread_mutex_unlock(&vm->pause.lock);
}
