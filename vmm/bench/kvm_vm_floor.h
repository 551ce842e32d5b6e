/* SPDX-License-Identifier: MIT */
/*
 * The floors for a VM's life: the least KVM needs, with no VMM around it. One VM is
 * KVM_CREATE_VM, RAM in one memory slot, KVM's PIC/IOAPIC and PIT (unless no_irqchip), one vCPU
 * with its kvm_run mapping, real-mode state at address 0, where the guest is two instructions
 * (mov al, '\n'; out 0xf4, al): one KVM_RUN to that port exit, then everything closed and
 * unmapped. bench/churn.c measures minivmm's VM life beside the churn floor; tools/bench times
 * `minivmm run` to its first byte beside the boot floor.
 */
#ifndef MINIVMM_BENCH_KVM_VM_FLOOR_H
#define MINIVMM_BENCH_KVM_VM_FLOOR_H

#include <stdbool.h>

#include "util/vmm_error.h"

/* count VMs of 2 MiB, one after the other, /dev/kvm opened once. overlap_teardown: helper
 * threads close the VM fds (host/fd_reaper.h), as minivmm's churn does; else each is closed
 * before the next VM starts.
 * *vms_per_second is count / elapsed wall time, the last closes included. */
int kvm_churn_floor(const char *kvm_device, unsigned count, bool no_irqchip, bool overlap_teardown,
		    double *vms_per_second, struct vmm_error *err);

/* `minivmm bench --boot-floor`: one VM as a `minivmm run` builds it by default (64 MiB, the
 * irqchip and PIT), whose byte goes to stdout as soon as it exits to the port, then the VM is
 * closed (synchronously: KVM's teardown, with no helper to take it). */
int kvm_boot_floor(const char *kvm_device, struct vmm_error *err);

#endif
