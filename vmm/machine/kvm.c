/* SPDX-License-Identifier: MIT */
#include "machine/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

const struct kvm_capability_info kvm_capabilities[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", true, "guest RAM from a host mapping"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", true,
     "stopping a vCPU race-free (timeout, Ctrl-A x)"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", true, "passing the host CPUID to the guest"},
    {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", false, "in-kernel PIC/IOAPIC/LAPIC"},
    {KVM_CAP_PIT2, "KVM_CAP_PIT2", false, "in-kernel PIT timer"},
    {KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD", false, "device doorbells handled in the kernel"},
    {KVM_CAP_IRQFD, "KVM_CAP_IRQFD", false, "interrupts injected from an eventfd"},
    {KVM_CAP_COALESCED_MMIO, "KVM_CAP_COALESCED_MMIO", false,
     "batched MMIO writes without an exit each"},
    {KVM_CAP_COALESCED_PIO, "KVM_CAP_COALESCED_PIO", false, "batched port writes"},
    {KVM_CAP_SET_GUEST_DEBUG, "KVM_CAP_SET_GUEST_DEBUG", false, "single-step, breakpoints"},
    {KVM_CAP_BINARY_STATS_FD, "KVM_CAP_BINARY_STATS_FD", false, "counting in-kernel exits"},
    {KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR", false, "MSR exits to the VMM"},
    {KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS", false, "registers in kvm_run without ioctls"},
    {KVM_CAP_NR_VCPUS, "KVM_CAP_NR_VCPUS", false, "recommended vCPU count"},
};
const size_t kvm_capability_count = sizeof kvm_capabilities / sizeof kvm_capabilities[0];

static int kvm_open_error(const char *path, int errnum, struct vmm_error *err)
{
	switch (errnum) {
	case ENXIO:
	case ENODEV:
		/* The file exists but no driver answers: for /dev/kvm, KVM's module is missing (as
		 * below); any other path (--kvm /dev/tty without a terminal) is simply not KVM. */
		if (strcmp(path, KVM_DEFAULT_DEVICE) != 0)
			return vmm_error_set(err, -errnum, VMM_EXIT_KVM_UNAVAILABLE,
					     "%s is not a KVM device (opening it failed: %s): "
					     "point --kvm at " KVM_DEFAULT_DEVICE,
					     path, strerror(errnum));
		/* fall through */
	case ENOENT:
		return vmm_error_set(err, -errnum, VMM_EXIT_KVM_UNAVAILABLE,
				     "%s does not exist: KVM is not available here (load kvm_intel "
				     "or kvm_amd, enable VT-x/AMD-V in the firmware, or enable "
				     "nested virtualization if this is a VM)",
				     path);
	case EACCES:
	case EPERM:
		return vmm_error_set(err, -errnum, VMM_EXIT_NO_PERMISSION,
				     "permission denied opening %s: add your user to its group "
				     "(usually: sudo usermod -aG kvm $USER, then log in again)",
				     path);
	default:
		return vmm_error_set(err, -errnum, VMM_EXIT_KVM_UNAVAILABLE, "cannot open %s: %s",
				     path, strerror(errnum));
	}
}

int kvm_open(struct kvm *kvm, const char *device_path, struct vmm_error *err)
{
	memset(kvm, 0, sizeof *kvm);
	device_path = kvm_device_path(device_path);
	kvm->fd = open(device_path, O_RDWR | O_CLOEXEC);
	if (kvm->fd < 0)
		return kvm_open_error(device_path, errno, err);

	int ret;
	kvm->api_version = ioctl(kvm->fd, KVM_GET_API_VERSION, 0);
	if (kvm->api_version < 0) {
		ret = vmm_error_set(err, -ENOTTY, VMM_EXIT_KVM_UNAVAILABLE,
				    "%s is not a KVM device (KVM_GET_API_VERSION failed: %s): "
				    "point --kvm at /dev/kvm",
				    device_path, strerror(errno));
		goto fail;
	}
	/* api.rst 4.1: 12 is the only stable API version; anything else is not the API we know. */
	if (kvm->api_version != KVM_API_VERSION) {
		ret = vmm_error_set(err, -EPROTO, VMM_EXIT_KVM_UNAVAILABLE,
				    "KVM API version %d, minivmm needs %d: update the host kernel",
				    kvm->api_version, KVM_API_VERSION);
		goto fail;
	}
	for (size_t i = 0; i < kvm_capability_count; i++) {
		const struct kvm_capability_info *c = &kvm_capabilities[i];
		if (c->required && kvm_check_extension(kvm, c->cap) <= 0) {
			ret = vmm_error_set(err, -ENOTSUP, VMM_EXIT_KVM_UNAVAILABLE,
					    "this KVM lacks %s (needed for %s): update the host "
					    "kernel",
					    c->name, c->why);
			goto fail;
		}
	}
	int mmap_size = ioctl(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		ret = vmm_error_set(err, -EPROTO, VMM_EXIT_KVM_UNAVAILABLE,
				    "KVM_GET_VCPU_MMAP_SIZE returned %d: this KVM is broken",
				    mmap_size);
		goto fail;
	}
	kvm->vcpu_mmap_size = (size_t)mmap_size;
	return 0;
fail:
	close(kvm->fd);
	kvm->fd = -1;
	return ret;
}

void kvm_close(struct kvm *kvm)
{
	if (kvm->fd >= 0)
		close(kvm->fd);
	kvm->fd = -1;
}

int kvm_check_extension(const struct kvm *kvm, int cap)
{
	int r = ioctl(kvm->fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? 0 : r;
}
