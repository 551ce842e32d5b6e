/* SPDX-License-Identifier: MIT */
#include "machine/write_batch.h"

#include <errno.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "machine/exit_dispatch.h"
#include "machine/vm.h"

int vm_batch_writes(void *ctx, uint64_t addr, uint32_t size, bool pio)
{
	struct vm *vm = ctx;
	if (vm->fd < 0 || vm->cfg.no_write_batching)
		return -ENOTSUP;
	/* A port zone is a capability of its own (Linux 4.20); the ring is the MMIO one's. */
	if (kvm_check_extension(&vm->kvm, KVM_CAP_COALESCED_MMIO) <= 0 ||
	    (pio && kvm_check_extension(&vm->kvm, KVM_CAP_COALESCED_PIO) <= 0))
		return -ENOTSUP;
	struct kvm_coalesced_mmio_zone zone = {.addr = addr, .size = size, .pio = pio ? 1 : 0};
	if (ioctl(vm->fd, KVM_REGISTER_COALESCED_MMIO, &zone) < 0)
		return -errno;
	vm->batching = true;
	return 0;
}

uint64_t vm_batched_writes(const struct vm *vm)
{
	return __atomic_load_n(&vm->batch_drained, __ATOMIC_RELAXED);
}

void write_batch_pace_start(struct write_batch_pace *pace, const struct vm *vm, double now)
{
	pace->drained_seen = vm_batched_writes(vm);
	pace->last_news = now;
}

double write_batch_pace_next(struct write_batch_pace *pace, const struct vm *vm, double now)
{
	uint64_t drained = vm_batched_writes(vm);
	if (drained != pace->drained_seen) {
		pace->drained_seen = drained;
		pace->last_news = now;
	}
	bool quiet = now - pace->last_news >= VM_BATCH_QUIET_MS / 1000.0;
	return (quiet ? VM_BATCH_IDLE_DRAIN_MS : VM_BATCH_DRAIN_MS) / 1000.0;
}

void vm_drain_batched_writes(struct vm *vm)
{
	/* Every vCPU maps the same ring page (api.rst 4.116): vCPU 0's view will do. An empty ring
	 * (the main thread's usual wakeup) takes no lock. */
	if (vm->vcpu_count > 0 && vcpu_coalesced_pending(&vm->vcpus[0]))
		exit_drain_coalesced(&vm->vcpus[0]);
}
