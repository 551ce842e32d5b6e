/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPUID: what this KVM supports (api.rst 4.46 KVM_GET_SUPPORTED_CPUID), given to
 * each vCPU with KVM_SET_CPUID2.
 *
 * KVM_GET_SUPPORTED_CPUID describes the host's KVM, not a VM: it is asked once per process and
 * kept. Every call runs each host CPUID, an exit to the outer hypervisor when nested: ~0.3 ms
 * here, the largest part of creating a vCPU (docs/performance.md). Nothing before the first
 * KVM_SET_CPUID2 needs the answer, so x86_cpuid_prefetch() asks on a helper thread while the
 * caller builds the rest of the VM (vm_create(): irqchip, image, devices).
 *
 * The helper runs on another CPU than its creator's: the scheduler would otherwise start it on
 * the creator's CPU, where the ioctl, one long non-preemptible loop in the kernel, holds the
 * creator off until it ends. If it has not started by the time a vCPU needs the leaves (no CPU
 * was free), x86_setup_cpuid() asks itself and the helper, whenever it runs, just exits.
 * Either way, once a vCPU has its CPUID nothing asks again: no helper ever issues the ioctl
 * under the sandbox (sandbox.c), which does not allow it.
 *
 * The helper is joinable, not detached: x86_cpuid_prefetch_end() joins it, so it cannot outlive
 * the VM set-up that started it. The sandbox calls it before it closes /dev/kvm (the helper
 * holds a duplicate of that descriptor until it ends), and an exit handler calls it for every
 * other way out (an image refused right after the helper started: a detached thread still
 * running at exit leaves its stack and TLS behind, "possibly lost" to valgrind).
 */
#include "host/quiet_thread.h"
#include "x86/cpuid.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "machine/kvm.h"

static pthread_mutex_t supported_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t supported_changed = PTHREAD_COND_INITIALIZER;
static struct kvm_cpuid2 *supported; /* the answer, once known */
/* The helper thread: queued (created, not yet asking; the first to look claims the work),
 * asking (x86_setup_cpuid() waits for it), or none. */
static enum { PREFETCH_NONE, PREFETCH_QUEUED, PREFETCH_ASKING } prefetch;
/* The helper's thread, from its start until x86_cpuid_prefetch_end() joins it. */
static pthread_t prefetch_thread;
static bool prefetch_joinable;
static pthread_once_t end_at_exit_once = PTHREAD_ONCE_INIT;

/* The leaves, in a new allocation, or NULL with errno set. */
static struct kvm_cpuid2 *query_supported_cpuid(int kvm_fd)
{
	/* api.rst 4.46: KVM_GET_SUPPORTED_CPUID fails with E2BIG until nent is large enough.
	 * Start at 256 (hosts report ~75), so one call is enough. */
	for (unsigned nent = 256; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *cpuid =
		    calloc(1, sizeof *cpuid + nent * sizeof(struct kvm_cpuid_entry2));
		if (!cpuid)
			return NULL;
		cpuid->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			return cpuid;
		int e = errno;
		free(cpuid);
		if (e != E2BIG) {
			errno = e;
			return NULL;
		}
	}
	errno = E2BIG;
	return NULL;
}

/* The helper: it owns fd, a duplicate of the /dev/kvm fd, so closing the VM's (the
 * sandbox does, vm_destroy() does) never pulls the fd from under its ioctl. */
static void *prefetch_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	pthread_mutex_lock(&supported_lock);
	bool mine = prefetch == PREFETCH_QUEUED;
	if (mine)
		prefetch = PREFETCH_ASKING;
	pthread_mutex_unlock(&supported_lock);
	if (mine) {
		struct kvm_cpuid2 *cpuid = query_supported_cpuid(fd);
		pthread_mutex_lock(&supported_lock);
		/* NULL if it failed: x86_setup_cpuid() asks again, and reports the error. */
		supported = cpuid;
		prefetch = PREFETCH_NONE;
		pthread_cond_broadcast(&supported_changed);
		pthread_mutex_unlock(&supported_lock);
	}
	close(fd);
	return NULL;
}

/* Starts the helper on any CPU this thread may use but the current one; false if there is no
 * other, or it cannot start. */
static bool start_prefetch(int kvm_fd)
{
	cpu_set_t cpus;
	int here = sched_getcpu();
	if (here < 0 || sched_getaffinity(0, sizeof cpus, &cpus) < 0)
		return false;
	CPU_CLR(here, &cpus);
	if (CPU_COUNT(&cpus) == 0)
		return false;
	int fd = fcntl(kvm_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return false;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof cpus, &cpus);
	bool started =
	    quiet_thread_create(&prefetch_thread, &attr, prefetch_main, (void *)(intptr_t)fd) == 0;
	pthread_attr_destroy(&attr);
	if (!started)
		close(fd);
	prefetch_joinable = started;
	return started;
}

static void end_prefetch_at_exit(void)
{
	atexit(x86_cpuid_prefetch_end);
}

static void prefetch_with(int kvm_fd)
{
	pthread_once(&end_at_exit_once, end_prefetch_at_exit);
	pthread_mutex_lock(&supported_lock);
	if (!supported && prefetch == PREFETCH_NONE && !prefetch_joinable && start_prefetch(kvm_fd))
		prefetch = PREFETCH_QUEUED;
	pthread_mutex_unlock(&supported_lock);
}

void x86_cpuid_prefetch(const struct kvm *kvm)
{
	prefetch_with(kvm->fd);
}

void x86_cpuid_prefetch_early(const char *kvm_device)
{
	int fd = open(kvm_device_path(kvm_device), O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return; /* vm_create() opens it again and says why it cannot */
	prefetch_with(fd);
	close(fd);
}

void x86_cpuid_prefetch_end(void)
{
	pthread_mutex_lock(&supported_lock);
	bool joinable = prefetch_joinable;
	prefetch_joinable = false;
	if (prefetch == PREFETCH_QUEUED)
		prefetch = PREFETCH_NONE; /* not started yet: it will find nothing to do */
	pthread_t thread = prefetch_thread;
	pthread_mutex_unlock(&supported_lock);
	/* Outside the lock, which the helper takes. It ends soon: at most one KVM ioctl away. */
	if (joinable)
		pthread_join(thread, NULL);
}

/* With supported_lock held: the helper's answer if it is asking, else asked now. */
static int get_supported_cpuid(const struct kvm *kvm, struct vmm_error *err)
{
	while (prefetch == PREFETCH_ASKING)
		pthread_cond_wait(&supported_changed, &supported_lock);
	if (prefetch == PREFETCH_QUEUED)
		prefetch = PREFETCH_NONE; /* not started yet: the helper will find nothing to do */
	if (supported)
		return 0;
	supported = query_supported_cpuid(kvm->fd);
	if (supported)
		return 0;
	int e = errno;
	if (e == ENOMEM)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "out of memory for CPUID entries");
	if (e == E2BIG)
		return vmm_error_set(err, -E2BIG, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM reports more than 4096 CPUID entries");
	return vmm_error_set(err, -e, VMM_EXIT_KVM_UNAVAILABLE,
			     "KVM_GET_SUPPORTED_CPUID failed: %s", strerror(e));
}

/* The host's own brand string (CPUID 0x80000002-0x80000004), "" if it has none. */
static void host_brand(char out[49])
{
	unsigned a, b, c, d;
	memset(out, 0, 49);
	__cpuid(0x80000000, a, b, c, d);
	if (a < 0x80000004)
		return;
	for (unsigned i = 0; i < 3; i++) {
		__cpuid(0x80000002 + i, a, b, c, d);
		memcpy(out + 16 * i, (unsigned[]){a, b, c, d}, 16);
	}
}

/* With supported_lock held: the model's input, asking KVM if nobody has. */
static int model_input(const struct kvm *kvm, const struct x86_cpu_config *cpu,
		       struct cpu_model_input *in, struct vmm_error *err)
{
	static char brand[49];
	static bool brand_known;
	int ret = supported ? 0 : get_supported_cpuid(kvm, err);
	if (ret)
		return ret;
	if (!brand_known) {
		host_brand(brand);
		brand_known = true;
	}
	*in = (struct cpu_model_input){
	    .supported = supported,
	    .host_brand = brand,
	    .kind = cpu->model,
	    .vcpu_count = cpu->vcpu_count,
	};
	return 0;
}

/* The model's CPUID for apic_id, in a new allocation the caller frees. */
static int build_cpuid(const struct kvm *kvm, const struct x86_cpu_config *cpu, unsigned apic_id,
		       struct kvm_cpuid2 **out, struct vmm_error *err)
{
	pthread_mutex_lock(&supported_lock);
	struct cpu_model_input in;
	int ret = model_input(kvm, cpu, &in, err);
	if (!ret) {
		*out = calloc(1, sizeof **out +
				     cpu_model_capacity(&in) * sizeof(struct kvm_cpuid_entry2));
		if (*out)
			cpu_model_build(&in, apic_id, *out);
		else
			ret = vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
					    "out of memory for CPUID entries");
	}
	pthread_mutex_unlock(&supported_lock);
	return ret;
}

int x86_setup_cpuid(const struct kvm *kvm, int vcpu_fd, const struct x86_cpu_config *cpu,
		    unsigned apic_id, struct vmm_error *err)
{
	struct kvm_cpuid2 *mine;
	int ret = build_cpuid(kvm, cpu, apic_id, &mine, err);
	if (ret)
		return ret;
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, mine) < 0)
		ret = vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				    "KVM_SET_CPUID2 failed: %s", strerror(errno));
	free(mine);
	return ret;
}

int x86_guest_cpuid(const struct kvm *kvm, const struct x86_cpu_config *cpu, unsigned apic_id,
		    struct kvm_cpuid2 **supported_copy, struct kvm_cpuid2 **guest,
		    struct vmm_error *err)
{
	int ret = build_cpuid(kvm, cpu, apic_id, guest, err);
	if (ret)
		return ret;
	pthread_mutex_lock(&supported_lock);
	size_t size = sizeof *supported + supported->nent * sizeof(struct kvm_cpuid_entry2);
	*supported_copy = malloc(size);
	if (*supported_copy)
		memcpy(*supported_copy, supported, size);
	pthread_mutex_unlock(&supported_lock);
	if (*supported_copy)
		return 0;
	free(*guest);
	*guest = NULL;
	return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
			     "out of memory for CPUID entries");
}

/* KVM may change what it is given: it fills in run-time bits (OSXSAVE, the APIC flag, XSAVE
 * sizes), and some KVMs put the host's own feature bits back (kvm_pvm does in leaf 1). A
 * scratch vCPU given the table and read back with KVM_GET_CPUID2 (api.rst 4.110) shows what
 * the guest really gets. */
int x86_applied_cpuid(const struct kvm *kvm, const struct kvm_cpuid2 *asked,
		      struct kvm_cpuid2 **applied, struct vmm_error *err)
{
	uint32_t room = asked->nent + 64; /* KVM never adds leaves; room to spare anyway */
	*applied = calloc(1, sizeof **applied + room * sizeof(struct kvm_cpuid_entry2));
	if (!*applied)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "out of memory for CPUID entries");
	(*applied)->nent = room;
	const char *step = "KVM_CREATE_VM";
	int vcpu = -1, vm = ioctl(kvm->fd, KVM_CREATE_VM, 0);
	if (vm >= 0 && (step = "KVM_CREATE_VCPU", vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) >= 0 &&
	    (step = "KVM_SET_CPUID2", ioctl(vcpu, KVM_SET_CPUID2, asked)) == 0 &&
	    (step = "KVM_GET_CPUID2", ioctl(vcpu, KVM_GET_CPUID2, *applied)) == 0)
		step = NULL;
	int e = errno;
	if (vcpu >= 0)
		close(vcpu);
	if (vm >= 0)
		close(vm);
	if (!step)
		return 0;
	free(*applied);
	*applied = NULL;
	return vmm_error_set(err, -e, VMM_EXIT_KVM_UNAVAILABLE, "%s failed: %s", step, strerror(e));
}
