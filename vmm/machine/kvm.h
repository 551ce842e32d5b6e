/* SPDX-License-Identifier: MIT */
/*
 * Thin wrappers over the /dev/kvm system ioctls (Documentation/virt/kvm/api.rst, section 4),
 * each failing with a message a user can act on.
 */
#ifndef MINIVMM_KVM_H
#define MINIVMM_KVM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/vmm_error.h"

#define KVM_DEFAULT_DEVICE "/dev/kvm"

/* The KVM device to open: path, or KVM_DEFAULT_DEVICE when none was given (NULL). */
static inline const char *kvm_device_path(const char *path)
{
	return path ? path : KVM_DEFAULT_DEVICE;
}

struct kvm {
	int fd;
	int api_version;
	size_t vcpu_mmap_size; /* KVM_GET_VCPU_MMAP_SIZE: kvm_run plus the PIO data page */
};

struct kvm_capability_info {
	int cap;	  /* KVM_CAP_* */
	const char *name; /* as in api.rst */
	bool required;	  /* minivmm refuses to run without it */
	const char *why;  /* what minivmm uses it for */
};

/* The capabilities minivmm looks at, for `minivmm info` and for kvm_open's checks. */
extern const struct kvm_capability_info kvm_capabilities[];
extern const size_t kvm_capability_count;

/* Opens the KVM device (NULL: KVM_DEFAULT_DEVICE), checks KVM_GET_API_VERSION == 12 and the
 * required capabilities. */
int kvm_open(struct kvm *kvm, const char *device_path, struct vmm_error *err);
void kvm_close(struct kvm *kvm);

/* KVM_CHECK_EXTENSION: > 0 if present (some return a count), 0 if absent. */
int kvm_check_extension(const struct kvm *kvm, int cap);

#endif
