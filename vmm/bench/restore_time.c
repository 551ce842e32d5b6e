/* SPDX-License-Identifier: MIT */
/*
 * Restore to the first guest instruction, beside boot to it, in one process (issue 17: target
 * 2 ms for 64 MiB). The guest is a loop of three instructions (xor eax, eax; mov dx, 0x501;
 * out dx, eax; jmp back) in 64 MiB of RAM, so the first KVM_RUN after either path returns at
 * its OUT: what is timed is minivmm's and KVM's cost, not the guest's.
 *
 *   boot:    vm_create (RAM, irqchip, image, devices, vCPU) + KVM_RUN to the first exit
 *   restore: snapshot_file_open (read and check the state) + vm_create with the RAM mapped
 *            from the file + snapshot_restore_vm + KVM_RUN to the first exit
 *
 * The snapshot is written once to a memfd (no disk in the figure: a restore reads a hot page
 * cache anyway); RAM is mapped, never read, so the figure does not grow with RAM.
 */
#include "bench/restore_time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/flat_loops.h"
#include "machine/vm.h"
#include "snapshot/snapshot.h"
#include "snapshot/snapshot_restore.h"
#include "trace/vcpu_trace.h"

#define RESTORE_RAM (64ull << 20)

/* xor eax, eax; mov dx, 0x501; out dx, eax; jmp $-9 */
static const uint8_t exit_loop[] = {0x31, 0xc0, 0x66, 0xba, 0x01, 0x05, 0xef, 0xeb, 0xf7};

/* KVM_RUN until the guest's OUT (the first exit of this loop). */
static int run_to_first_exit(struct vm *vm, struct vmm_error *err)
{
	if (ioctl(vm->vcpus[0].fd, KVM_RUN, 0) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_INTERNAL, "KVM_RUN failed: %s",
				     strerror(errno));
	if (vm->vcpus[0].run->exit_reason != KVM_EXIT_IO)
		return vmm_error_set(err, -EIO, VMM_EXIT_INTERNAL,
				     "restore bench guest: exit %u, not its OUT",
				     vm->vcpus[0].run->exit_reason);
	return 0;
}

static struct vm_config guest_config(const char *kvm_device)
{
	return (struct vm_config){.kvm_device = kvm_device,
				  .ram_size = RESTORE_RAM,
				  .image = exit_loop,
				  .image_size = sizeof exit_loop,
				  .image_name = "restore bench guest",
				  .format = GUEST_FORMAT_FLAT,
				  .load_addr = FLAT_LOOP_LOAD_ADDR,
				  .console_in_fd = -1,
				  .console_out_fd = -1};
}

int bench_restore(const char *kvm_device, double *boot_ns, double *restore_ns,
		  struct vmm_error *err)
{
	static struct vm vm;
	struct vm_config cfg = guest_config(kvm_device);
	int fd = memfd_create("minivmm-bench-snapshot", MFD_CLOEXEC);
	if (fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES, "memfd_create: %s",
				     strerror(errno));
	uint64_t t0 = monotonic_ns();
	int ret = vm_create(&vm, &cfg, err);
	ret = ret ?: run_to_first_exit(&vm, err);
	*boot_ns = (double)(monotonic_ns() - t0);
	ret = ret ?: snapshot_prepare(&vm, err);
	ret = ret ?: snapshot_save(&vm, fd, err);
	snapshot_finish(&vm);
	vm_destroy(&vm);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (!ret) {
		struct snapshot_file f;
		t0 = monotonic_ns();
		ret = snapshot_file_open(&f, path, err);
		if (!ret) {
			struct vm_config restored = {
			    .kvm_device = kvm_device, .console_in_fd = -1, .console_out_fd = -1};
			snapshot_file_vm_config(&f, &restored);
			ret = vm_create(&vm, &restored, err);
			ret = ret ?: snapshot_restore_vm(&vm, &f, err);
			ret = ret ?: run_to_first_exit(&vm, err);
			*restore_ns = (double)(monotonic_ns() - t0);
			snapshot_finish(&vm);
			vm_destroy(&vm);
			snapshot_file_close(&f);
		}
	}
	close(fd);
	return ret;
}
