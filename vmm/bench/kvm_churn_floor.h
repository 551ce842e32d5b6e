/* SPDX-License-Identifier: MIT */
/*
 * The floor for VM churn: the least KVM needs for one VM's whole life, with no VMM around it.
 * Per VM: KVM_CREATE_VM, 2 MiB of RAM in one memory slot, KVM's PIC/IOAPIC and PIT (unless
 * no_irqchip), one vCPU with its kvm_run mapping, real-mode state at address 0, where the guest
 * is one instruction (out 0xf4, al): one KVM_RUN to that port exit, then everything closed and
 * unmapped. /dev/kvm is opened once. bench/churn.c measures minivmm's VM life beside it.
 */
#ifndef MINIVMM_BENCH_KVM_CHURN_FLOOR_H
#define MINIVMM_BENCH_KVM_CHURN_FLOOR_H

#include <stdbool.h>

#include "util/vmm_error.h"

/* count VMs, one after the other. overlap_teardown: helper threads close the VM fds
 * (host/fd_reaper.h), as minivmm's churn does; else each is closed before the next VM starts.
 * *vms_per_second is count / elapsed wall time, the last closes included. */
int kvm_churn_floor(const char *kvm_device, unsigned count, bool no_irqchip, bool overlap_teardown,
		    double *vms_per_second, struct vmm_error *err);

#endif
