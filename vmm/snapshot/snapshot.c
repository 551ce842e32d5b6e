/* SPDX-License-Identifier: MIT */
#include "snapshot/snapshot.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "machine/vm.h"
#include "machine/write_batch.h"
#include "snapshot/snapshot_machine.h"
#include "snapshot/snapshot_vcpu.h"
#include "snapshot/snapshot_writer.h"

#define SNAPSHOT_PAUSE_TIMEOUT_MS 2000

struct snapshot_ctx {
	struct snapshot_vcpu_caps caps;
	pthread_mutex_t lock; /* one snapshot at a time (socket and console) */
};

int snapshot_prepare(struct vm *vm, struct vmm_error *err)
{
	struct snapshot_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	int ret = snapshot_vcpu_caps_probe(&vm->kvm, vm->vcpus[0].fd, vm->irqchip, &ctx->caps, err);
	if (ret) {
		free(ctx);
		return ret;
	}
	pthread_mutex_init(&ctx->lock, NULL);
	vm->snapshot = ctx;
	return 0;
}

const struct snapshot_vcpu_caps *snapshot_vcpu_caps_of(const struct vm *vm)
{
	return vm->snapshot ? &vm->snapshot->caps : NULL;
}

void snapshot_finish(struct vm *vm)
{
	if (!vm->snapshot)
		return;
	pthread_mutex_destroy(&vm->snapshot->lock);
	free(vm->snapshot);
	vm->snapshot = NULL;
}

/* api.rst section 5: before its state is read, a vCPU must finish the I/O of its last exit;
 * KVM_RUN with immediate_exit does that without running guest code (returns EINTR). A vCPU
 * parked by a pause was kicked out with EINTR: nothing pending, and this is a no-op. */
static int complete_last_exit(struct vcpu *vcpu, struct vmm_error *err)
{
	vcpu->run->immediate_exit = 1;
	int ret = ioctl(vcpu->fd, KVM_RUN, 0);
	vcpu->run->immediate_exit = 0;
	if (ret == 0 || (errno != EINTR && errno != EAGAIN))
		return vmm_error_set(err, ret == 0 ? -EIO : -errno, VMM_EXIT_INTERNAL,
				     "vCPU %u: cannot complete its last exit before saving",
				     vcpu->index);
	return 0;
}

static int build(struct vm *vm, struct snapshot_builder *b, struct snapshot_machine *m,
		 struct vmm_error *err)
{
	const struct snapshot_vcpu_caps *caps = &vm->snapshot->caps;
	int ret = 0;
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++)
		ret = complete_last_exit(&vm->vcpus[i], err);
	ret = ret ?: snapshot_machine_save(vm, b, err);
	unsigned first_vcpu_section = b->count; /* "vcpu0.cpuid" comes first */
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++)
		ret = snapshot_vcpu_save(caps, vm->vcpus[i].fd, i, b, err);
	if (ret)
		return ret;
	/* The header names the CPU the guest was given: vCPU 0's CPUID section. */
	const struct snapshot_section *cpuid = &b->sections[first_vcpu_section];
	size_t size = cpuid->size;
	struct kvm_cpuid2 *c = malloc(sizeof *c + size);
	if (!c)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	c->nent = (uint32_t)(size / sizeof c->entries[0]);
	memcpy(c->entries, cpuid->data, size);
	snapshot_vcpu_cpu_identity(c, m->cpu_vendor, m->features);
	free(c);
	m->vcpu_count = vm->vcpu_count;
	m->flags = vm->irqchip ? SNAPSHOT_FLAG_IRQCHIP : 0;
	m->ram = vm->mem.host;
	m->ram_size = vm->mem.size;
	return 0;
}

int snapshot_save(struct vm *vm, int fd, struct vmm_error *err)
{
	if (!vm->snapshot)
		return vmm_error_set(err, -ENOTSUP, VMM_EXIT_INTERNAL,
				     "this run was not prepared for snapshots");
	/* Asleep, the vCPUs are held mid-suspend and the wake is the sleep thread's; a restore
	 * would have none of it. */
	if (atomic_load(&vm->sleep.phase) != SLEEP_AWAKE)
		return vmm_error_set(err, -EBUSY, VMM_EXIT_USAGE,
				     "the guest is suspended to RAM (ACPI S3): wake it first (a "
				     "key on the console), then take the snapshot");
	/* Writes KVM batched before the pause happened before it: their devices get them first,
	 * so the saved state includes them and nothing waits in a ring a restore would not have. */
	vm_drain_batched_writes(vm);
	struct snapshot_builder b;
	snapshot_builder_init(&b);
	struct snapshot_machine m = {0};
	int ret = build(vm, &b, &m, err);
	ret = ret ?: snapshot_write(fd, &b, &m, err);
	snapshot_builder_free(&b);
	return ret;
}

int snapshot_take(struct vm *vm, const char *path, struct vmm_error *err)
{
	if (!vm->snapshot)
		return vmm_error_set(err, -ENOTSUP, VMM_EXIT_USAGE,
				     "this run cannot take snapshots");
	pthread_mutex_lock(&vm->snapshot->lock);
	/* O_EXCL: a snapshot never replaces a file (the sandbox allows exactly these flags, those
	 * of the socket's trace file). */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0600);
	int ret = 0;
	if (fd < 0)
		ret =
		    vmm_error_set(err, -errno, VMM_EXIT_USAGE,
				  "cannot create the snapshot file %s: %s (it must not exist yet)",
				  path, strerror(errno));
	/* Only vm_pause() and vm_resume() (machine/pause.h): -EALREADY is a VM paused already
	 * (the socket's "pause"), saved as it is and left paused. */
	bool paused_here = false;
	if (!ret) {
		struct vmm_error pause_err = {0};
		int paused = vm_pause(vm, SNAPSHOT_PAUSE_TIMEOUT_MS, &pause_err);
		paused_here = paused == 0;
		if (paused && paused != -EALREADY) {
			*err = pause_err;
			ret = paused;
		}
	}
	ret = ret ?: snapshot_save(vm, fd, err);
	if (paused_here) {
		struct vmm_error resume_err;
		vm_resume(vm, &resume_err);
	}
	if (fd >= 0) {
		/* A failed write leaves an empty file, which no restore takes (no unlink(2) under
		 * the sandbox). */
		if (ret && ftruncate(fd, 0) < 0)
			ret = vmm_error_prefix(err, ret, "%s left partly written", path);
		close(fd);
	}
	pthread_mutex_unlock(&vm->snapshot->lock);
	return ret;
}
