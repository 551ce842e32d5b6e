/* SPDX-License-Identifier: MIT */
/*
 * Saving a running VM to a snapshot file (docs/snapshot.md). snapshot_prepare() asks KVM what
 * it can save while /dev/kvm is still open (before the sandbox); then any thread but a vCPU's
 * can save: the control socket's "snapshot" command and the console's Ctrl-A s through
 * snapshot_take() (pause, write, resume), `run --snapshot-on-exit` through snapshot_save() once
 * the vCPUs have stopped.
 */
#ifndef MINIVMM_SNAPSHOT_H
#define MINIVMM_SNAPSHOT_H

#include "util/vmm_error.h"

struct vm;
struct snapshot_vcpu_caps;

/* Makes vm snapshottable (vm->snapshot): probes the XSAVE size, the optional state and the
 * MSRs to save. After vm_create, before the sandbox (snapshot_restore_vm calls it). */
int snapshot_prepare(struct vm *vm, struct vmm_error *err);

/* What snapshot_prepare() found (NULL before). */
const struct snapshot_vcpu_caps *snapshot_vcpu_caps_of(const struct vm *vm);

/* Frees what snapshot_prepare() made (nothing if it was not called). */
void snapshot_finish(struct vm *vm);

/* Writes the snapshot of vm to fd (opened for writing, empty). No vCPU may be in KVM_RUN: the
 * VM is paused, or its run has ended. A vCPU whose last exit was not completed (the run
 * ended on an OUT) completes it first, as a reboot does (api.rst section 5). */
int snapshot_save(struct vm *vm, int fd, struct vmm_error *err);

/* Pauses the running vm (machine/pause.h), writes a new file path (created with mode 0600, never
 * an existing file), and resumes it. Any thread but a vCPU's; one at a time. */
int snapshot_take(struct vm *vm, const char *path, struct vmm_error *err);

#endif
