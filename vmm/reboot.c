/*
 * Guest reset and --reboot (see reboot.h).
 *
 * The reset request arrives in the middle of an exit: KVM has not finished the OUT instruction
 * that caused it. api.rst section 5 (kvm_run, "immediate_exit") gives the way to finish it
 * without running further guest code: KVM_RUN with immediate_exit set completes the pending
 * operation and returns -EINTR. Only then is the vCPU state consistent and safe to replace.
 *
 * A PC's reset reaches every device, not only the CPU: each registered device's reset hook
 * (struct vm_device.reset, vm_reset_devices) runs before the guest restarts, so a rebooted guest
 * finds the UART, the virtio devices and the rest as they were at power-on.
 */
#include "reboot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "irqchip.h"
#include "vm.h"

void vm_request_reset(struct vm *vm, const char *source)
{
	snprintf(vm->reset_source, sizeof vm->reset_source, "%s", source);
	if (!vm->cfg.reboot || vm->reboots >= VM_MAX_REBOOTS) {
		stop_request_raise(&vm->stop, STOP_GUEST_RESET, VMM_EXIT_GUEST_RESET);
		return;
	}
	atomic_store(&vm->reboot_pending, true);
}

/* Drops whatever KVM was about to deliver to the old boot: a queued exception, an injected or
 * pending interrupt, an NMI (api.rst 4.31/4.32 KVM_GET/SET_VCPU_EVENTS). */
static int clear_pending_events(struct vcpu *vcpu)
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

static int reboot(struct vm *vm, struct vcpu *vcpu, struct vmm_error *err)
{
	vcpu->run->immediate_exit = 1;
	int ret = ioctl(vcpu->fd, KVM_RUN, 0);
	vcpu->run->immediate_exit = 0;
	if (ret == 0 || (errno != EINTR && errno != EAGAIN))
		return vmm_error_set(err, ret == 0 ? -EIO : -errno, VMM_EXIT_INTERNAL,
				     "cannot complete the reset write before rebooting");
	/* Devices first: once their reset returns, none of them writes guest RAM any more (no
	 * virtqueue is ready), so none can scribble over the image reloaded below, and the lines
	 * they lowered are what the controllers' power-on state then starts from. */
	vm_reset_devices(vm);
	ret = irqchip_restore_power_on_state(vm, err);
	ret = ret ?: vm_reload_guest(vm, err);
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++)
		if ((ret = clear_pending_events(&vm->vcpus[i])))
			vmm_error_set(err, ret, VMM_EXIT_KVM_UNAVAILABLE,
				      "KVM_SET_VCPU_EVENTS failed: %s", strerror(-ret));
	return ret;
}

bool vm_reboot_if_requested(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	/* Called after every exit: a plain load first, the locked exchange only when set. */
	if (!atomic_load_explicit(&vm->reboot_pending, memory_order_relaxed) ||
	    !atomic_exchange(&vm->reboot_pending, false) || stop_requested(&vm->stop))
		return false;
	vm->reboots++;
	fprintf(stderr, "minivmm: guest reset (%s): reboot %u of at most %u\n", vm->reset_source,
		vm->reboots, VM_MAX_REBOOTS);
	struct vmm_error err = {0};
	if (reboot(vm, vcpu, &err) &&
	    stop_request_raise(&vm->stop, STOP_VMM_ERROR, (int)err.status))
		vcpu_report_fault(vcpu, "reboot failed", "%s", err.msg);
	return true;
}
