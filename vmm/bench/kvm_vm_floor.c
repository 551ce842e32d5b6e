/* SPDX-License-Identifier: MIT */
#include "bench/kvm_vm_floor.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "host/fd_reaper.h"
#include "machine/kvm.h"
#include "minivmm/boot_abi.h"
#include "trace/vcpu_trace.h"

#define FLOOR_PORT 0xf4
#define FLOOR_BYTE '\n' /* what the guest hands to the port: the boot floor's whole output */

static int floor_fail(struct vmm_error *err, const char *what)
{
	return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE, "KVM floor: %s failed: %s",
			     what, strerror(errno));
}

/* Real mode, CS base 0, IP 0: the reset state but for where it starts (SDM Vol. 3A 9.1.4). */
static int enter_at_zero(int vcpu_fd, struct vmm_error *err)
{
	struct kvm_sregs sregs;
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return floor_fail(err, "KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	struct kvm_regs regs = {.rip = 0, .rflags = 2};
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return floor_fail(err, "KVM_SET_(S)REGS");
	return 0;
}

/* One VM's life. out_fd >= 0: the guest's byte goes there as soon as it arrives, before the
 * teardown. */
static int one_vm(const struct kvm *kvm, uint64_t ram_size, bool no_irqchip,
		  struct fd_reaper *reaper, int out_fd, struct vmm_error *err)
{
	static const unsigned char guest[] = {0xb0, FLOOR_BYTE, 0xe6, FLOOR_PORT}; /* mov al; out */
	int vm_fd = ioctl(kvm->fd, KVM_CREATE_VM, 0), vcpu_fd = -1, ret = 0;
	void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct kvm_run *run = MAP_FAILED;
	if (vm_fd < 0 || ram == MAP_FAILED) {
		ret = floor_fail(err, "KVM_CREATE_VM or mmap");
		goto out;
	}
	memcpy(ram, guest, sizeof guest);
	struct kvm_userspace_memory_region region = {.memory_size = ram_size,
						     .userspace_addr = (uint64_t)(uintptr_t)ram};
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		ret = floor_fail(err, "KVM_SET_USER_MEMORY_REGION");
	else if (!no_irqchip && (ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0) < 0 ||
				 ioctl(vm_fd, KVM_CREATE_PIT2, &pit) < 0))
		ret = floor_fail(err, "KVM_CREATE_IRQCHIP or KVM_CREATE_PIT2");
	else if ((vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0)) < 0)
		ret = floor_fail(err, "KVM_CREATE_VCPU");
	else if ((run = mmap(NULL, kvm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd,
			     0)) == MAP_FAILED)
		ret = floor_fail(err, "mmap kvm_run");
	ret = ret ?: enter_at_zero(vcpu_fd, err);
	while (!ret && ioctl(vcpu_fd, KVM_RUN, 0) < 0)
		if (errno != EINTR)
			ret = floor_fail(err, "KVM_RUN");
	if (!ret && (run->exit_reason != KVM_EXIT_IO || run->io.port != FLOOR_PORT))
		ret = vmm_error_set(err, -EIO, VMM_EXIT_GUEST_UNKNOWN_EXIT,
				    "KVM floor: unexpected exit reason %u", run->exit_reason);
	else if (!ret && out_fd >= 0 && write(out_fd, (uint8_t *)run + run->io.data_offset, 1) != 1)
		ret =
		    vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				  "KVM floor: cannot write the guest's byte: %s", strerror(errno));
out:
	if (run != MAP_FAILED)
		munmap(run, kvm->vcpu_mmap_size);
	if (vcpu_fd >= 0)
		close(vcpu_fd);
	if (ram != MAP_FAILED)
		munmap(ram, ram_size);
	if (vm_fd >= 0 && reaper)
		fd_reaper_close(reaper, vm_fd);
	else if (vm_fd >= 0)
		close(vm_fd);
	return ret;
}

int kvm_churn_floor(const char *kvm_device, unsigned count, bool no_irqchip, bool overlap_teardown,
		    double *vms_per_second, struct vmm_error *err)
{
	static struct fd_reaper reaper;
	struct kvm kvm;
	int ret = kvm_open(&kvm, kvm_device, err);
	fd_reaper_init(&reaper);
	uint64_t start = monotonic_ns();
	for (unsigned i = 0; i < count && !ret; i++)
		ret = one_vm(&kvm, MINIVMM_RAM_MIN, no_irqchip, overlap_teardown ? &reaper : NULL,
			     -1, err);
	fd_reaper_destroy(&reaper);
	uint64_t elapsed = monotonic_ns() - start;
	kvm_close(&kvm);
	*vms_per_second = elapsed ? count * 1e9 / (double)elapsed : 0;
	return ret;
}

int kvm_boot_floor(const char *kvm_device, struct vmm_error *err)
{
	struct kvm kvm;
	int ret = kvm_open(&kvm, kvm_device, err);
	ret = ret ?: one_vm(&kvm, CLI_DEFAULT_MEMORY, false, NULL, STDOUT_FILENO, err);
	kvm_close(&kvm);
	return ret;
}
