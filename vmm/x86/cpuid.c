#include "x86/cpuid.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm.h"

int x86_setup_cpuid(const struct kvm *kvm, int vcpu_fd, struct vmm_error *err)
{
	/* api.rst: KVM_GET_SUPPORTED_CPUID fails with E2BIG until nent is large enough. */
	for (unsigned nent = 64; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *cpuid =
		    calloc(1, sizeof *cpuid + nent * sizeof(struct kvm_cpuid_entry2));
		if (!cpuid)
			return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
					     "out of memory for CPUID entries");
		cpuid->nent = nent;
		if (ioctl(kvm->fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
			int e = errno;
			free(cpuid);
			if (e == E2BIG)
				continue;
			return vmm_error_set(err, -e, VMM_EXIT_KVM_UNAVAILABLE,
					     "KVM_GET_SUPPORTED_CPUID failed: %s", strerror(e));
		}
		int ret = 0;
		if (ioctl(vcpu_fd, KVM_SET_CPUID2, cpuid) < 0)
			ret = vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
					    "KVM_SET_CPUID2 failed: %s", strerror(errno));
		free(cpuid);
		return ret;
	}
	return vmm_error_set(err, -E2BIG, VMM_EXIT_KVM_UNAVAILABLE,
			     "KVM reports more than 4096 CPUID entries");
}
