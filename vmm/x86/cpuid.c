#include "x86/cpuid.h"

#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
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

/* The vCPU's own APIC ID where CPUID reports it (Intel SDM vol. 2A, CPUID): leaf 1 EBX[31:24]
 * (the initial APIC ID) and the x2APIC ID in EDX of leaves 0xB and 0x1F. KVM passes the host's
 * values through, so without this every vCPU would claim the same ID. */
static void set_apic_id(struct kvm_cpuid2 *cpuid, unsigned apic_id)
{
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (apic_id & 0xffu) << 24;
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = apic_id;
	}
}

int x86_setup_cpuid(const struct kvm *kvm, int vcpu_fd, unsigned apic_id, struct vmm_error *err)
{
	pthread_mutex_lock(&supported_lock);
	int ret = supported ? 0 : get_supported_cpuid(kvm, err);
	size_t size = 0;
	struct kvm_cpuid2 *mine = NULL;
	if (!ret) {
		size = sizeof *supported + supported->nent * sizeof(struct kvm_cpuid_entry2);
		mine = malloc(size);
		if (!mine)
			ret = vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
					    "out of memory for CPUID entries");
		else
			memcpy(mine, supported, size);
	}
	pthread_mutex_unlock(&supported_lock);
	if (ret)
		return ret;
	set_apic_id(mine, apic_id);
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, mine) < 0)
		ret = vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				    "KVM_SET_CPUID2 failed: %s", strerror(errno));
	free(mine);
	return ret;
}
