/* SPDX-License-Identifier: MIT */
/* VM churn for `minivmm bench`: whole VMs created, booted and destroyed back to back. */
#ifndef MINIVMM_BENCH_CHURN_H
#define MINIVMM_BENCH_CHURN_H

#include "util/vmm_error.h"

#include <stdbool.h>

/* Creates, runs to its exit and destroys `count` VMs of the smallest guest (a flat image that
 * writes 0 to the exit port), in this process, with the in-kernel irqchip and PIT or without
 * (--no-irqchip). overlap_teardown: each VM fd's last close goes to an fd reaper
 * (host/fd_reaper.h), so KVM's teardown waits overlap the next VMs; else vm_destroy() closes it
 * before the next VM starts. *vms_per_second is count / elapsed wall time, the last closes
 * included. */
int bench_churn(const char *kvm_device, unsigned count, bool no_irqchip, bool overlap_teardown,
		double *vms_per_second, struct vmm_error *err);

#endif
