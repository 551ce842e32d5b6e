/* SPDX-License-Identifier: MIT */
/*
 * VM churn: the cost of a whole VM life in one process, as a serverless host would pay it per
 * request: KVM_CREATE_VM, the RAM slot, boot structures, devices, the vCPU and its thread, one
 * guest instruction sequence to the exit port, then every file descriptor and mapping released.
 * The guest is the smallest there is (xor eax, eax; mov dx, 0x501; out dx, eax) in 2 MiB of RAM,
 * so the figure is the VMM's and KVM's fixed cost, not the guest's.
 *
 * Measured with and without the in-kernel irqchip: destroying a VM with a PIT that re-injects
 * lost ticks (KVM's default) waits for an SRCU grace period (kvm_free_pit() ->
 * kvm_pit_set_reinject() -> synchronize_srcu(&kvm->irq_srcu)), ~15 ms here, most of a VM's life,
 * and on Linux 6.18 two more for the PIT's io-bus devices. Those waits sleep, so with
 * overlap_teardown the VM fd goes to an fd reaper and they overlap (docs/performance.md).
 */
#include "bench/churn.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "bench/flat_loops.h"
#include "host/fd_reaper.h"
#include "minivmm/boot_abi.h"
#include "trace/vcpu_trace.h"
#include "machine/vm.h"

static const uint8_t exit_zero[] = {0x31, 0xc0, 0x66, 0xba, 0x01, 0x05, 0xef};

int bench_churn(const char *kvm_device, unsigned count, bool no_irqchip, bool overlap_teardown,
		double *vms_per_second, struct vmm_error *err)
{
	static struct vm vm;
	static struct fd_reaper reaper;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct vm_config cfg = {.kvm_device = kvm_device,
				.ram_size = MINIVMM_RAM_MIN,
				.image = exit_zero,
				.image_size = sizeof exit_zero,
				.image_name = "churn guest",
				.format = GUEST_FORMAT_FLAT,
				.load_addr = FLAT_LOOP_LOAD_ADDR,
				.console_in_fd = -1,
				.console_out_fd = devnull,
				.no_irqchip = no_irqchip,
				.vm_fd_reaper = overlap_teardown ? &reaper : NULL};
	fd_reaper_init(&reaper);
	uint64_t start = monotonic_ns();
	int ret = 0;
	for (unsigned i = 0; i < count && !ret; i++) {
		ret = vm_create(&vm, &cfg, err);
		ret = ret ?: vm_run(&vm, err);
		if (!ret && vm.stop.status != 0)
			ret = vmm_error_set(err, -EIO, VMM_EXIT_INTERNAL,
					    "churn guest ended with status %d", vm.stop.status);
		vm_destroy(&vm);
	}
	fd_reaper_destroy(&reaper); /* every VM's teardown counts, the last ones' too */
	uint64_t elapsed = monotonic_ns() - start;
	close(devnull);
	*vms_per_second = elapsed ? count * 1e9 / (double)elapsed : 0;
	return ret;
}
