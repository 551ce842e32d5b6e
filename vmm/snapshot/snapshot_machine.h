/* SPDX-License-Identifier: MIT */
/*
 * The VM-wide state of a snapshot: KVM's PICs, IOAPIC and PIT ("irqchip.*" sections, api.rst
 * 4.26/4.27 KVM_GET/SET_IRQCHIP, 4.72/4.73 KVM_GET/SET_PIT2), the guest's TSC frequency
 * ("machine"), and each device's state through its table entry's save/load hooks ("dev.NAME").
 */
#ifndef MINIVMM_SNAPSHOT_MACHINE_H
#define MINIVMM_SNAPSHOT_MACHINE_H

#include "util/vmm_error.h"

struct vm;
struct snapshot_builder;
struct snapshot_view;

/* Adds the device, then the machine and irqchip sections (a device's save may raise an
 * interrupt, which the controllers' state must hold). No vCPU may be in KVM_RUN; the vCPUs are
 * saved after this. */
int snapshot_machine_save(struct vm *vm, struct snapshot_builder *b, struct vmm_error *err);

/* Checks every device section against the VM's devices and gives each its state, then the
 * TSC frequency and the controllers (after the devices: their lines are the devices'). */
int snapshot_machine_restore(struct vm *vm, const struct snapshot_view *view,
			     struct vmm_error *err);

#endif
