/* SPDX-License-Identifier: MIT */
/*
 * `minivmm restore FILE`: the snapshot's state read and checked whole before a VM exists
 * (snapshot_file_open), then a VM made from it: RAM mapped from the file copy-on-write
 * (vm_config.ram_file), the controllers, devices and vCPUs given their saved state. Any bad
 * snapshot stops here with VMM_EXIT_GUEST_IMAGE and one line; no vCPU has run.
 */
#ifndef MINIVMM_SNAPSHOT_RESTORE_H
#define MINIVMM_SNAPSHOT_RESTORE_H

#include <stdint.h>

#include "machine/vm.h"
#include "snapshot/snapshot_parser.h"
#include "util/vmm_error.h"

struct snapshot_file {
	int fd;
	uint8_t *state; /* the bytes before RAM */
	struct snapshot_view view;
	struct vm_ram_file ram;
};

/* Opens and checks path (missing or unreadable: VMM_EXIT_NO_GUEST_FILE; malformed:
 * VMM_EXIT_GUEST_IMAGE). */
int snapshot_file_open(struct snapshot_file *f, const char *path, struct vmm_error *err);
void snapshot_file_close(struct snapshot_file *f);

/* What vm_create needs from the snapshot: RAM size, vCPUs, irqchip, the RAM file. */
void snapshot_file_vm_config(const struct snapshot_file *f, struct vm_config *cfg);

/* Gives the VM made with that config (vm_create) the snapshot's state: checks the host's CPU
 * first (vendor, features), then the controllers, devices and each vCPU. */
int snapshot_restore_vm(struct vm *vm, const struct snapshot_file *f, struct vmm_error *err);

#endif
