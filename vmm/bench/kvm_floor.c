/* SPDX-License-Identifier: MIT */
#include "bench/kvm_floor.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine/guest_mem.h"
#include "machine/kvm.h"
#include "minivmm/boot_abi.h"
#include "trace/vcpu_trace.h"
#include "x86/cpuid.h"
#include "x86/long_mode.h"

#define FLOOR_RAM (4ull << 20)

struct floor_vm {
	struct kvm kvm;
	int vm_fd, vcpu_fd, event_fd;
	struct kvm_run *run;
	struct guest_mem mem;
};

static int floor_fail(struct vmm_error *err, const char *what)
{
	return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE, "floor: %s failed: %s", what,
			     strerror(errno));
}

static int floor_setup(struct floor_vm *f, const struct kvm_floor_options *opts,
		       const struct flat_loop *loop, struct vmm_error *err)
{
	int ret = kvm_open(&f->kvm, opts->kvm_device, err);
	ret = ret ?: guest_mem_init(&f->mem, FLOOR_RAM, err);
	ret = ret ?: x86_build_boot_structures(&f->mem, err);
	if (ret)
		return ret;
	memcpy(guest_mem_gpa_to_hva(&f->mem, FLAT_LOOP_LOAD_ADDR, loop->len), loop->code,
	       loop->len);
	if ((f->vm_fd = ioctl(f->kvm.fd, KVM_CREATE_VM, 0)) < 0)
		return floor_fail(err, "KVM_CREATE_VM");
	struct kvm_userspace_memory_region region = {
	    .memory_size = f->mem.size, .userspace_addr = (uint64_t)(uintptr_t)f->mem.host};
	if (ioctl(f->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return floor_fail(err, "KVM_SET_USER_MEMORY_REGION");
	if (opts->ioeventfd_port) {
		f->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		struct kvm_ioeventfd ev = {.addr = opts->ioeventfd_port,
					   .len = MINIVMM_BENCH_DOORBELL_LEN,
					   .fd = f->event_fd,
					   .flags = KVM_IOEVENTFD_FLAG_PIO};
		if (f->event_fd < 0 || ioctl(f->vm_fd, KVM_IOEVENTFD, &ev) < 0)
			return floor_fail(err, "KVM_IOEVENTFD");
	}
	if ((f->vcpu_fd = ioctl(f->vm_fd, KVM_CREATE_VCPU, 0)) < 0)
		return floor_fail(err, "KVM_CREATE_VCPU");
	f->run =
	    mmap(NULL, f->kvm.vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, f->vcpu_fd, 0);
	if (f->run == MAP_FAILED) {
		f->run = NULL;
		return floor_fail(err, "mmap kvm_run");
	}
	if ((ret = x86_setup_cpuid(&f->kvm, f->vcpu_fd, &(struct x86_cpu_config){0}, 0, err)))
		return ret;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (ioctl(f->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return floor_fail(err, "KVM_GET_SREGS");
	x86_long_mode_sregs(&sregs);
	x86_long_mode_regs(&regs, FLAT_LOOP_LOAD_ADDR);
	if (ioctl(f->vcpu_fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(f->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return floor_fail(err, "KVM_SET_(S)REGS");
	return 0;
}

static void floor_teardown(struct floor_vm *f)
{
	if (f->run)
		munmap(f->run, f->kvm.vcpu_mmap_size);
	if (f->vcpu_fd > 0)
		close(f->vcpu_fd);
	if (f->event_fd > 0)
		close(f->event_fd);
	if (f->vm_fd > 0)
		close(f->vm_fd);
	guest_mem_destroy(&f->mem);
	kvm_close(&f->kvm);
}

int kvm_floor_run(const struct kvm_floor_options *opts, const struct flat_loop *loop,
		  uint64_t *elapsed_ns, uint64_t *exits, struct vmm_error *err)
{
	struct floor_vm f;
	memset(&f, 0, sizeof f);
	f.kvm.fd = -1;
	int ret = floor_setup(&f, opts, loop, err);
	*exits = 0;
	uint64_t start = monotonic_ns();
	while (!ret) {
		if (ioctl(f.vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			ret = floor_fail(err, "KVM_RUN");
			break;
		}
		++*exits;
		/* Re-enter at once on any port or MMIO access; stop at the exit port. */
		if (f.run->exit_reason == KVM_EXIT_IO && f.run->io.port == MINIVMM_EXIT_PORT)
			break;
		if (f.run->exit_reason != KVM_EXIT_IO && f.run->exit_reason != KVM_EXIT_MMIO)
			ret = vmm_error_set(err, -EIO, VMM_EXIT_GUEST_UNKNOWN_EXIT,
					    "floor: unexpected exit reason %u", f.run->exit_reason);
	}
	*elapsed_ns = monotonic_ns() - start;
	floor_teardown(&f);
	return ret;
}
