/* SPDX-License-Identifier: MIT */
#include "machine/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "machine/vm.h"
#include "x86/cpuid.h"
#include "x86/long_mode.h"

#define VCPU_KICK_SIGNAL SIGUSR1

/* The kvm_run of the vCPU running on this thread, for the kick handler. */
static _Thread_local struct kvm_run *thread_kvm_run;

int vcpu_create(struct vcpu *vcpu, struct vm *vm, unsigned index, struct vmm_error *err)
{
	memset(vcpu, 0, sizeof *vcpu);
	vcpu->vm = vm;
	vcpu->index = index;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, index);
	if (vcpu->fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_CREATE_VCPU %u failed: %s", index, strerror(errno));
	vcpu->run_size = vm->kvm.vcpu_mmap_size;
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		int e = errno;
		vcpu->run = NULL;
		close(vcpu->fd);
		vcpu->fd = -1;
		return vmm_error_set(err, -e, VMM_EXIT_HOST_RESOURCES,
				     "cannot map the kvm_run page of vCPU %u: %s", index,
				     strerror(e));
	}
	/* KVM_CHECK_EXTENSION(KVM_CAP_COALESCED_MMIO) gives the ring's page offset in kvm_run. */
	int ring_page = kvm_check_extension(&vm->kvm, KVM_CAP_COALESCED_MMIO);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (ring_page > 0 && (size_t)(ring_page + 1) * page <= vcpu->run_size)
		vcpu_use_coalesced_ring(vcpu, (uint8_t *)vcpu->run + (size_t)ring_page * page,
					page);
	struct x86_cpu_config cpu = {.model = vm->cfg.cpu_model, .vcpu_count = vm->cfg.cpus};
	return x86_setup_cpuid(&vm->kvm, vcpu->fd, &cpu, index, err); /* APIC ID = vCPU id */
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

int vcpu_enter_long_mode(struct vcpu *vcpu, uint64_t entry, struct vmm_error *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_GET_SREGS failed: %s", strerror(errno));
	x86_long_mode_sregs(&sregs);
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_SET_SREGS (long mode) failed: %s", strerror(errno));
	x86_long_mode_regs(&regs, entry);
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_SET_REGS failed: %s", strerror(errno));
	return 0;
}

static void vcpu_kick_handler(int signo)
{
	(void)signo;
	/* api.rst 5 (immediate_exit): set from a signal handler, it makes a KVM_RUN that is
	 * about to start return -EINTR at once, closing the race with a plain signal. */
	if (thread_kvm_run)
		thread_kvm_run->immediate_exit = 1;
}

int vcpu_install_kick_handler(void)
{
	struct sigaction sa = {.sa_handler = vcpu_kick_handler};
	sigemptyset(&sa.sa_mask);
	return sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0 ? -errno : 0;
}

static void (*vcpu_finish_callback)(struct vcpu *vcpu);

static void *vcpu_thread_main(void *arg)
{
	struct vcpu *vcpu = arg;
	sigset_t kick;
	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	thread_kvm_run = vcpu->run;
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	vcpu_run_loop(vcpu);
	struct timespec cpu;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
		vcpu->cpu_ns = (uint64_t)cpu.tv_sec * 1000000000u + (uint64_t)cpu.tv_nsec;

	pthread_sigmask(SIG_BLOCK, &kick, NULL);
	thread_kvm_run = NULL;
	atomic_store(&vcpu->finished, true);
	if (vcpu_finish_callback)
		vcpu_finish_callback(vcpu);
	return NULL;
}

int vcpu_start(struct vcpu *vcpu, void (*on_finish)(struct vcpu *vcpu))
{
	vcpu_finish_callback = on_finish;
	int r = pthread_create(&vcpu->thread, NULL, vcpu_thread_main, vcpu);
	if (r)
		return -r;
	vcpu->thread_started = true;
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	/* A vCPU that stops itself (a device on its own thread) checks the request anyway. */
	if (vcpu->thread_started && !atomic_load(&vcpu->finished) &&
	    !pthread_equal(vcpu->thread, pthread_self()))
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->thread_started)
		pthread_join(vcpu->thread, NULL);
	vcpu->thread_started = false;
}
