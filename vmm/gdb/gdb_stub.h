/* SPDX-License-Identifier: MIT */
/*
 * The gdb remote stub of `minivmm run --gdb` (docs/debugging.md): one thread that owns the
 * socket, speaks gdb's remote serial protocol (all-stop: when one vCPU stops, all do) and works
 * on vCPUs only while they are parked outside KVM_RUN; two hooks in the run loop park them and
 * claim the exits that belong to the debugger. Without --gdb vm->gdb is NULL and the hooks are
 * never called.
 */
#ifndef MINIVMM_GDB_STUB_H
#define MINIVMM_GDB_STUB_H

#include <stdbool.h>

#include "gdb/gdb_address.h"
#include "util/vmm_error.h"

struct vm;
struct vcpu;
struct gdb_stub;

/* Binds and listens on addr (before the sandbox: it allows no new sockets), starts the stub's
 * thread and sets vm->gdb. With wait, the vCPUs are held before their first instruction until
 * a debugger attaches and resumes them. Returns 0 or a negative errno with err filled. */
int gdb_stub_start(struct vm *vm, const struct gdb_address *addr, bool wait, struct vmm_error *err);

/* After vm_run(): tells an attached debugger how the guest ended (W or X), stops the thread and
 * frees the stub. */
void gdb_stub_finish(struct vm *vm);

/* Run-loop hook, after an exit: true if the exit was the debugger's (a single-step, a
 * breakpoint) and must not be handled as the guest's; the vCPU then parks if the debugger
 * holds the VM (machine/pause.h, the one pause for the debugger and the control socket). */
bool gdb_stub_claim_exit(struct gdb_stub *gdb, struct vcpu *vcpu);

#endif
