#include "x86/cpuid.h"

#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm.h"

/* KVM_GET_SUPPORTED_CPUID describes the host's KVM, not a VM: asked once per process and kept.
 * Every call runs each host CPUID, an exit to the outer hypervisor when nested: a fifth of the
 * time of `minivmm bench`'s VM churn here (docs/performance.md). */
static pthread_mutex_t supported_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kvm_cpuid2 *supported;

static int get_supported_cpuid(const struct kvm *kvm, struct vmm_error *err)
{
	/* api.rst: KVM_GET_SUPPORTED_CPUID fails with E2BIG until nent is large enough. Start at
	 * 256 (hosts report ~75), so one call is enough. */
	for (unsigned nent = 256; nent <= 4096; nent *= 2) {
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
		supported = cpuid;
		return 0;
	}
	return vmm_error_set(err, -E2BIG, VMM_EXIT_KVM_UNAVAILABLE,
			     "KVM reports more than 4096 CPUID entries");
}

int x86_setup_cpuid(const struct kvm *kvm, int vcpu_fd, struct vmm_error *err)
{
	pthread_mutex_lock(&supported_lock);
	int ret = supported ? 0 : get_supported_cpuid(kvm, err);
	if (!ret && ioctl(vcpu_fd, KVM_SET_CPUID2, supported) < 0)
		ret = vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				    "KVM_SET_CPUID2 failed: %s", strerror(errno));
	pthread_mutex_unlock(&supported_lock);
	return ret;
}
