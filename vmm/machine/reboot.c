/* SPDX-License-Identifier: MIT */
/*
 * Guest reset and --reboot (see reboot.h).
 *
 * The reset request arrives in the middle of an exit: KVM has not finished the OUT instruction
 * that caused it. api.rst section 5 (kvm_run, "immediate_exit") gives the way to finish it
 * without running further guest code: KVM_RUN with immediate_exit set completes the pending
 * operation and returns -EINTR. Only then is the vCPU state consistent and safe to replace.
 *
 * A PC's reset reaches every device, not only the CPU: each registered device's reset hook
 * (struct device_entry.reset, device_table_reset_all) runs before the guest restarts, so a rebooted
 * guest finds the UART, the virtio devices and the rest as they were at power-on.
 */
#include "machine/reboot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

#include "host/monotonic_wait.h"
#include "machine/irqchip.h"
#include "machine/vm.h"

void vm_request_reset(struct vm *vm, const char *source)
{
	struct reboot_state *r = &vm->reboot;
	snprintf(r->source, sizeof r->source, "%s", source);
	if (!vm->cfg.reboot || r->count >= VM_MAX_REBOOTS) {
		stop_request_raise(&vm->stop, STOP_GUEST_RESET, VMM_EXIT_GUEST_RESET);
		return;
	}
	atomic_store(&r->pending, true);
}

int reboot_prepare(struct vm *vm, struct vmm_error *err)
{
	/* Only a --reboot run ever restores it (vm_request_reset() ends any other run at the first
	 * reset), and it cannot be taken later: by then the guest has programmed the chips. */
	if (!vm->cfg.reboot)
		return 0;
	return irqchip_save_power_on_state(vm, &vm->reboot.irqchip_power_on, err);
}

int vcpu_clear_pending_events(struct vcpu *vcpu)
{
	struct kvm_vcpu_events events;
	if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &events) < 0)
		return -errno;
	memset(&events.exception, 0, sizeof events.exception);
	memset(&events.interrupt, 0, sizeof events.interrupt);
	events.nmi.injected = 0;
	events.nmi.pending = 0;
	events.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	return ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &events) < 0 ? -errno : 0;
}

/* api.rst section 5 (immediate_exit): KVM_RUN with immediate_exit set completes the operation of
 * the last exit (the reset write itself, or any other vCPU's last IN or OUT) and returns EINTR
 * without running guest code; only then may the vCPU's state be replaced. On its own thread. */
static int complete_pending_exit(struct vcpu *vcpu, struct vmm_error *err)
{
	vcpu->run->immediate_exit = 1;
	int ret = ioctl(vcpu->fd, KVM_RUN, 0);
	vcpu->run->immediate_exit = 0;
	if (ret == 0 || (errno != EINTR && errno != EAGAIN))
		return vmm_error_set(err, ret == 0 ? -EIO : -errno, VMM_EXIT_INTERNAL,
				     "vCPU %u: cannot complete its last exit before rebooting",
				     vcpu->index);
	return 0;
}

static int reboot(struct vm *vm, struct vcpu *vcpu, struct vmm_error *err)
{
	int ret = complete_pending_exit(vcpu, err);
	if (ret)
		return ret;
	/* Devices first: once their reset returns, none of them writes guest RAM any more (no
	 * virtqueue is ready), so none can scribble over the image reloaded below, and the lines
	 * they lowered are what the controllers' power-on state then starts from. */
	device_table_reset_all(&vm->devices);
	ret = irqchip_restore_power_on_state(vm, vm->reboot.irqchip_power_on, err);
	ret = ret ?: vm_reload_guest(vm, err);
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++)
		if ((ret = vcpu_clear_pending_events(&vm->vcpus[i])))
			vmm_error_set(err, ret, VMM_EXIT_KVM_UNAVAILABLE,
				      "KVM_SET_VCPU_EVENTS failed: %s", strerror(-ret));
	return ret;
}

void reboot_state_init(struct reboot_state *r)
{
	atomic_init(&r->pending, false);
	atomic_init(&r->gather.active, false);
	pthread_mutex_init(&r->gather.lock, NULL);
	monotonic_cond_init(&r->gather.changed);
	r->gather.parked = 0;
	r->gather.generation = 0;
	r->count = 0;
	r->source[0] = '\0';
	r->irqchip_power_on = NULL;
}

void reboot_state_destroy(struct reboot_state *r)
{
	pthread_cond_destroy(&r->gather.changed);
	pthread_mutex_destroy(&r->gather.lock);
	irqchip_power_on_free(r->irqchip_power_on);
	r->irqchip_power_on = NULL;
}

/* Waits on the rendezvous' condition for at most 10 ms: a stop request only kicks vCPUs out of
 * KVM_RUN, it does not signal this condition, so the waiters look at it between naps. */
static void wait_briefly(struct reboot_rendezvous *r)
{
	struct timespec until;
	monotonic_deadline_after_ms(&until, 10);
	pthread_cond_timedwait(&r->changed, &r->lock, &until);
}

/* A vCPU other than the leader: completes its own last exit, then waits outside KVM_RUN until
 * the leader has rebooted the machine (or the run stops). */
static void park_for_reboot(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct reboot_rendezvous *r = &vm->reboot.gather;
	struct vmm_error err = {0};
	if (complete_pending_exit(vcpu, &err) &&
	    stop_request_raise(&vm->stop, STOP_VMM_ERROR, (int)err.status))
		vcpu_report_fault(vcpu, "reboot failed", "%s", err.msg);
	pthread_mutex_lock(&r->lock);
	unsigned generation = r->generation;
	r->parked++;
	pthread_cond_broadcast(&r->changed);
	while (r->generation == generation && !stop_requested(&vm->stop))
		wait_briefly(r);
	r->parked--;
	pthread_mutex_unlock(&r->lock);
}

/* The leader: stops every other running vCPU at its next exit (the kick, api.rst 4.8's EINTR)
 * and waits until they are all parked. False if the run is stopping instead. */
static bool gather_other_vcpus(struct vm *vm, struct vcpu *leader)
{
	struct reboot_rendezvous *r = &vm->reboot.gather;
	atomic_store_explicit(&r->active, true, memory_order_release);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (&vm->vcpus[i] != leader)
			vcpu_kick(&vm->vcpus[i]);
	pthread_mutex_lock(&r->lock);
	for (;;) {
		unsigned running = 0; /* a vCPU whose thread has ended never parks */
		for (unsigned i = 0; i < vm->vcpu_count; i++)
			running += &vm->vcpus[i] != leader && !atomic_load(&vm->vcpus[i].finished);
		if (r->parked >= running || stop_requested(&vm->stop))
			break;
		wait_briefly(r);
	}
	pthread_mutex_unlock(&r->lock);
	return !stop_requested(&vm->stop);
}

/* The leader, rebooted or not: lets the parked vCPUs run again. */
static void release_other_vcpus(struct vm *vm)
{
	struct reboot_rendezvous *r = &vm->reboot.gather;
	pthread_mutex_lock(&r->lock);
	atomic_store_explicit(&r->active, false, memory_order_release);
	r->generation++;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

bool vm_reboot_if_requested(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct reboot_state *r = &vm->reboot;
	if (reboot_gathering(&r->gather)) {
		park_for_reboot(vcpu);
		return true;
	}
	/* Called after every exit: a plain load first, the locked exchange only when set. */
	if (!atomic_load_explicit(&r->pending, memory_order_relaxed) ||
	    !atomic_exchange(&r->pending, false) || stop_requested(&vm->stop))
		return false;
	if (vm->vcpu_count > 1 && !gather_other_vcpus(vm, vcpu)) {
		release_other_vcpus(vm);
		return true;
	}
	r->count++;
	fprintf(stderr, "minivmm: guest reset (%s): reboot %u of at most %u\n", r->source, r->count,
		VM_MAX_REBOOTS);
	struct vmm_error err = {0};
	int failed = reboot(vm, vcpu, &err);
	if (failed && stop_request_raise(&vm->stop, STOP_VMM_ERROR, (int)err.status))
		vcpu_report_fault(vcpu, "reboot failed", "%s", err.msg);
	if (!failed && vm->on_event) /* the control socket's "reboot" event */
		vm->on_event(vm->on_event_ctx, VM_EVENT_REBOOT);
	if (vm->vcpu_count > 1)
		release_other_vcpus(vm);
	return true;
}
