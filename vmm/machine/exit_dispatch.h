/* SPDX-License-Identifier: MIT */
/*
 * The exit decoder of the run loop (exit_dispatch.c), apart so that unit tests can hand it
 * made-up exits in a calloc'd kvm_run: internal to vmm/machine/ and its tests.
 */
#ifndef MINIVMM_EXIT_DISPATCH_H
#define MINIVMM_EXIT_DISPATCH_H

struct exit_record;
struct vcpu;

/* Drains the vCPU's coalesced ring (exit_drain_coalesced), then decodes the exit KVM left in
 * vcpu->run and hands it on: KVM_EXIT_IO (each of a `rep`'s count
 * items) and KVM_EXIT_MMIO to the vCPU's VM's buses, reads answered in kvm_run, unclaimed
 * accesses counted (and with --strict-io a stop); any other reason stops the run with a report,
 * but an application processor's HLT without an irqchip, which parks its thread until the stop
 * or a reboot. Fills rec's reason, address, size, count, first data, device name and flags. */
void exit_dispatch(struct vcpu *vcpu, struct exit_record *rec);

/* Hands the writes KVM batched in the vCPU's coalesced MMIO/PIO ring (api.rst 4.116) to the
 * buses, in the order the guest made them; exit_dispatch() starts with it. */
void exit_drain_coalesced(struct vcpu *vcpu);

#endif
