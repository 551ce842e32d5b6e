/* SPDX-License-Identifier: MIT */
/*
 * The in-kernel interrupt controllers and timer: KVM_CREATE_IRQCHIP (two 8259A PICs, an IOAPIC
 * and a LAPIC per vCPU, api.rst 4.24) and KVM_CREATE_PIT2 (an 8254 PIT, api.rst 4.71), created
 * before the vCPUs. With them, HLT waits inside KVM until an interrupt arrives, and devices raise
 * ISA interrupt lines with KVM_IRQ_LINE (api.rst 4.25). Without them (--no-irqchip, or a KVM
 * lacking the capabilities) the machine stays polled: no interrupts, and HLT ends the run.
 */
#ifndef MINIVMM_IRQCHIP_H
#define MINIVMM_IRQCHIP_H

#include <stdbool.h>

#include "util/vmm_error.h"

struct irqchip_power_on;
struct vm;

/* Creates the irqchip and PIT unless vm->cfg.no_irqchip. A KVM without them is not an error: a
 * one-line note goes to stderr and the VM stays polled (vm->irqchip false). Returns 0 or a
 * negative errno (with err filled) when an ioctl that KVM advertises fails. */
int irqchip_create(struct vm *vm, struct vmm_error *err);

/* After the last vCPU is created: makes KVM's map of APIC IDs include every vCPU, so that an IPI
 * to one APIC ID (the targeted INIT-SIPI-SIPI of an OS starting its CPUs) reaches it. */
int irqchip_complete_apic_map(struct vm *vm, struct vmm_error *err);

/* Records the controllers' and the vCPUs' LAPICs' state into a new *out, for
 * irqchip_restore_power_on_state(); call it after the vCPUs exist, before the guest runs
 * (reboot.c does, with --reboot). Without an irqchip *out stays NULL. On failure *out may hold
 * a partial record: free it all the same. */
int irqchip_save_power_on_state(struct vm *vm, struct irqchip_power_on **out,
				struct vmm_error *err);

/* Puts the controllers and every LAPIC back into the saved state (the reboot path); a no-op if
 * saved is NULL. */
int irqchip_restore_power_on_state(struct vm *vm, const struct irqchip_power_on *saved,
				   struct vmm_error *err);

void irqchip_power_on_free(struct irqchip_power_on *saved);

/* Drives ISA interrupt line irq (0-15) to level (KVM_IRQ_LINE). A no-op without an irqchip.
 * Safe from any thread; never calls back into a device. Returns 0 or a negative errno. */
int vm_set_irq_line(struct vm *vm, unsigned irq, bool level);

#endif
