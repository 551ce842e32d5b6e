/* SPDX-License-Identifier: MIT */
#include "machine/pause.h"

#include <errno.h>
#include <time.h>

#include "host/monotonic_wait.h"
#include "machine/vm.h"

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void vm_pause_init(struct vm_pause *p)
{
	atomic_init(&p->requested, false);
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

int vm_pause(struct vm *vm, unsigned timeout_ms, struct vmm_error *err)
{
	struct vm_pause *p = &vm->pause;
	pthread_mutex_lock(&p->lock);
	if (atomic_load(&p->requested)) {
		pthread_mutex_unlock(&p->lock);
		return vmm_error_set(err, -EALREADY, VMM_EXIT_USAGE,
				     "the VM is already paused: send resume first");
	}
	if (stop_requested(&vm->stop)) {
		pthread_mutex_unlock(&p->lock);
		return vmm_error_set(err, -ESHUTDOWN, VMM_EXIT_USAGE,
				     "the VM is stopping: nothing to pause");
	}
	atomic_store(&p->requested, true);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_kick(&vm->vcpus[i]);
	struct timespec until;
	monotonic_deadline_after_ms(&until, (long)timeout_ms);
	int ret = 0;
	while (p->parked < running_vcpus(vm) && !stop_requested(&vm->stop))
		if (pthread_cond_timedwait(&p->changed, &p->lock, &until) == ETIMEDOUT) {
			ret = -ETIMEDOUT;
			break;
		}
	if (ret || stop_requested(&vm->stop)) {
		atomic_store(&p->requested, false);
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		if (!ret)
			return vmm_error_set(err, -ESHUTDOWN, VMM_EXIT_USAGE,
					     "the VM stopped while pausing");
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL,
				     "not every vCPU left the guest within %u ms (a reboot or a "
				     "halted vCPU without irqchip?): not paused, try again",
				     timeout_ms);
	}
	p->since_ns = now_ns();
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int vm_resume(struct vm *vm, struct vmm_error *err)
{
	struct vm_pause *p = &vm->pause;
	pthread_mutex_lock(&p->lock);
	if (!atomic_load(&p->requested)) {
		pthread_mutex_unlock(&p->lock);
		return vmm_error_set(err, -EALREADY, VMM_EXIT_USAGE,
				     "the VM is not paused: nothing to resume");
	}
	p->total_ns += now_ns() - p->since_ns;
	p->since_ns = 0;
	atomic_store(&p->requested, false);
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

bool vm_is_paused(struct vm *vm)
{
	return atomic_load(&vm->pause.requested);
}

uint64_t vm_paused_ns(struct vm *vm)
{
	struct vm_pause *p = &vm->pause;
	pthread_mutex_lock(&p->lock);
	uint64_t ns = p->total_ns + (p->since_ns ? now_ns() - p->since_ns : 0);
	pthread_mutex_unlock(&p->lock);
	return ns;
}

void vm_pause_park_if_requested(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct vm_pause *p = &vm->pause;
	if (!atomic_load(&p->requested))
		return;
	pthread_mutex_lock(&p->lock);
	p->parked++;
	pthread_cond_broadcast(&p->changed);
	/* No timeout: a paused vCPU uses no CPU. vm_resume and the stop's kick broadcast. */
	while (atomic_load(&p->requested) && !stop_requested(&vm->stop))
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
