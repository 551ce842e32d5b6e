/* SPDX-License-Identifier: MIT */
/*
 * Guest writes that KVM batches instead of exiting for each (api.rst 4.116,
 * KVM_REGISTER_COALESCED_MMIO; `pio` zones need KVM_CAP_COALESCED_PIO). A device asks for a
 * range through its handle (devices/device_host.h, batch_writes); KVM then appends every guest
 * write there to a ring page that the whole VM shares, and resumes the guest at once.
 *
 * Nothing tells userspace that the ring has entries, so two consumers drain it, one at a time
 * (vm->batch_lock): a vCPU before each exit it handles, because the batched writes happened
 * before that exit (exit_dispatch.c); and the main thread at the pace below while the VM runs,
 * so that a guest that writes and then halts or computes without an exit is still heard
 * (vm.c, vm_wait). The end of a run and a snapshot drain it once more: nothing is lost.
 */
#ifndef MINIVMM_WRITE_BATCH_H
#define MINIVMM_WRITE_BATCH_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/* The longest a batched write waits for its device when no exit comes, while writes keep
 * coming: short enough that a shell's echo or prompt looks immediate. Once none has come for
 * VM_BATCH_QUIET_MS, the main thread drains every VM_BATCH_IDLE_DRAIN_MS instead: each of its
 * wakeups costs ~25 us of CPU on a nested host, 0.25 % of a CPU at 100 a second for a VM that
 * sits at a prompt, 0.05 % at 20. The first write after the quiet waits up to 50 ms. */
#define VM_BATCH_DRAIN_MS      10
#define VM_BATCH_IDLE_DRAIN_MS 50
#define VM_BATCH_QUIET_MS      1000

/* device_host.batch_writes for this VM (ctx: the struct vm). -ENOTSUP without KVM, without
 * the capability, or with --no-write-batching. */
int vm_batch_writes(void *ctx, uint64_t addr, uint32_t size, bool pio);

/* The writes handed on from the ring so far (--stats, the control socket, the drain's pace);
 * any thread may ask. */
uint64_t vm_batched_writes(const struct vm *vm);

/* Hands every write in the ring to its device, in order: from the main thread's timer, at the
 * end of the run and before a snapshot. A no-op without vCPUs or a ring. */
void vm_drain_batched_writes(struct vm *vm);

/* The main thread's drain timer: when a drain last saw new writes handed on (by anyone). */
struct write_batch_pace {
	uint64_t drained_seen;
	double last_news; /* seconds, CLOCK_MONOTONIC */
};

void write_batch_pace_start(struct write_batch_pace *pace, const struct vm *vm, double now);

/* Seconds until the next drain, VM_BATCH_DRAIN_MS or VM_BATCH_IDLE_DRAIN_MS; call after each
 * drain with the time. */
double write_batch_pace_next(struct write_batch_pace *pace, const struct vm *vm, double now);

#endif
