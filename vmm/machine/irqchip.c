/* SPDX-License-Identifier: MIT */
/*
 * KVM's in-kernel PIC/IOAPIC/LAPIC and PIT (api.rst 4.24 KVM_CREATE_IRQCHIP, 4.71
 * KVM_CREATE_PIT2, 4.25 KVM_IRQ_LINE, 4.26/4.27 KVM_GET/SET_IRQCHIP, 4.72/4.73
 * KVM_GET/SET_PIT2, 4.57/4.58 KVM_GET/SET_LAPIC).
 *
 * KVM_CREATE_IRQCHIP wires GSIs 0-15 to both the PICs and the IOAPIC, so an ISA line raised with
 * KVM_IRQ_LINE reaches whichever controller the guest programs. The PIT's channel 0 drives GSI 0.
 * minivmm then rewires the IOAPIC side as on a PC (KVM_SET_GSI_ROUTING, api.rst 4.52): ISA IRQ 0
 * reaches IOAPIC pin 2, the interrupt source override the ACPI MADT and the MP table describe
 * (platform/pc_layout.h), and IRQ 2, the PICs' cascade, no IOAPIC pin.
 * With an irqchip KVM handles HLT itself: a halted vCPU sleeps in the host kernel until an
 * interrupt is pending, with no exit to minivmm. Halt polling (KVM spinning for a while before
 * it sleeps, api.rst section 7, KVM_CAP_HALT_POLL) is switched off for this VM, so an idle guest
 * really costs no host CPU between its timer ticks.
 */
#include "machine/irqchip.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "machine/vm.h"
#include "platform/pc_layout.h"

#define PIC_MASTER_CHIP 0 /* KVM_IRQCHIP_PIC_MASTER */
#define PIC_SLAVE_CHIP	1 /* KVM_IRQCHIP_PIC_SLAVE */
#define IOAPIC_CHIP	2 /* KVM_IRQCHIP_IOAPIC */
#define CHIP_COUNT	3
#define ISA_IRQ_COUNT	16

/* The state a reboot returns the machine to, recorded right after creation. */
struct irqchip_power_on {
	struct kvm_irqchip chips[CHIP_COUNT];
	struct kvm_pit_state2 pit;
	struct kvm_lapic_state lapic[VM_MAX_VCPUS];
};

static void disable_halt_polling(struct vm *vm)
{
	if (kvm_check_extension(&vm->kvm, KVM_CAP_HALT_POLL) <= 0)
		return;
	/* args[0] is the maximum time in ns to poll before sleeping: 0 sleeps at once. */
	struct kvm_enable_cap cap = {.cap = KVM_CAP_HALT_POLL, .args = {0}};
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap) < 0)
		fprintf(stderr, "minivmm: note: cannot switch off halt polling: %s\n",
			strerror(errno));
}

/* GSI n to PIC input n (0-15) and to IOAPIC pin n (0-23), but GSI 0 (the PIT) to pin 2 and GSI
 * 2 to no pin: KVM's default, except for the PIT, whose IOAPIC pin a PC's chipset moves. */
static int route_isa_irq0_to_pin2(struct vm *vm, struct vmm_error *err)
{
	enum { MAX_ROUTES = ISA_IRQ_COUNT + PC_IOAPIC_PINS };
	struct kvm_irq_routing *table =
	    calloc(1, sizeof *table + MAX_ROUTES * sizeof(struct kvm_irq_routing_entry));
	if (!table)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	unsigned n = 0;
	for (unsigned gsi = 0; gsi < ISA_IRQ_COUNT; gsi++)
		table->entries[n++] = (struct kvm_irq_routing_entry){
		    .gsi = gsi,
		    .type = KVM_IRQ_ROUTING_IRQCHIP,
		    .u.irqchip = {.irqchip = gsi < 8 ? PIC_MASTER_CHIP : PIC_SLAVE_CHIP,
				  .pin = gsi % 8}};
	for (unsigned gsi = 0; gsi < PC_IOAPIC_PINS; gsi++) {
		if (gsi == PC_PIT_GSI)
			continue; /* pin 2 is GSI 0's */
		table->entries[n++] = (struct kvm_irq_routing_entry){
		    .gsi = gsi,
		    .type = KVM_IRQ_ROUTING_IRQCHIP,
		    .u.irqchip = {.irqchip = IOAPIC_CHIP,
				  .pin = gsi == PC_PIT_ISA_IRQ ? PC_PIT_GSI : gsi}};
	}
	table->nr = n;
	int ret = 0;
	if (ioctl(vm->fd, KVM_SET_GSI_ROUTING, table) < 0)
		ret = vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				    "KVM_SET_GSI_ROUTING (IRQ 0 to IOAPIC pin 2) failed: %s "
				    "(try --no-irqchip)",
				    strerror(errno));
	free(table);
	return ret;
}

int irqchip_create(struct vm *vm, struct vmm_error *err)
{
	vm->irqchip = false;
	if (vm->cfg.no_irqchip)
		return 0;
	/* KVM_IRQ_LINE comes with KVM_CAP_IRQCHIP (api.rst 4.25). */
	const char *missing = NULL;
	if (kvm_check_extension(&vm->kvm, KVM_CAP_IRQCHIP) <= 0)
		missing = "KVM_CAP_IRQCHIP";
	else if (kvm_check_extension(&vm->kvm, KVM_CAP_PIT2) <= 0)
		missing = "KVM_CAP_PIT2";
	if (missing) {
		fprintf(stderr,
			"minivmm: note: this KVM lacks %s: no interrupt controller, the guest runs "
			"polled (as with --no-irqchip)\n",
			missing);
		return 0;
	}
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_CREATE_IRQCHIP failed: %s (try --no-irqchip)",
				     strerror(errno));
	/* KVM_PIT_SPEAKER_DUMMY: port 0x61 (speaker, PIT channel 2 gate) is answered in the kernel
	 * too, so a guest calibrating loops with channel 2 needs no userspace exit. */
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_CREATE_PIT2 failed: %s (try --no-irqchip)",
				     strerror(errno));
	int ret = route_isa_irq0_to_pin2(vm, err);
	if (ret)
		return ret;
	disable_halt_polling(vm);
	vm->irqchip = true;
	return 0;
}

int irqchip_complete_apic_map(struct vm *vm, struct vmm_error *err)
{
	if (!vm->irqchip || vm->vcpu_count < 2)
		return 0;
	/* KVM sends a fixed-destination IPI through a map of the LAPICs of the vCPUs that were
	 * online when the map was last rebuilt (kvm_recalculate_apic_map(), arch/x86/kvm/lapic.c),
	 * and drops it if the destination is not in the map. Creating a vCPU rebuilds the map
	 * before that vCPU counts as online, so the last one created is missing: an INIT or SIPI to
	 * its APIC ID alone vanished (traced: kvm_apic_ipi without kvm_apic_accept_irq). Setting a
	 * LAPIC to its own state marks the map stale, and KVM rebuilds it with every vCPU. */
	struct vcpu *last = &vm->vcpus[vm->vcpu_count - 1];
	struct kvm_lapic_state lapic;
	if (ioctl(last->fd, KVM_GET_LAPIC, &lapic) < 0 ||
	    ioctl(last->fd, KVM_SET_LAPIC, &lapic) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_GET/SET_LAPIC of vCPU %u failed: %s", last->index,
				     strerror(errno));
	return 0;
}

int irqchip_save_power_on_state(struct vm *vm, struct irqchip_power_on **out, struct vmm_error *err)
{
	*out = NULL;
	if (!vm->irqchip)
		return 0;
	struct irqchip_power_on *saved = calloc(1, sizeof *saved);
	if (!saved)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	*out = saved;
	for (unsigned i = 0; i < CHIP_COUNT; i++) {
		saved->chips[i].chip_id = i;
		if (ioctl(vm->fd, KVM_GET_IRQCHIP, &saved->chips[i]) < 0)
			return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
					     "KVM_GET_IRQCHIP %u failed: %s", i, strerror(errno));
	}
	if (ioctl(vm->fd, KVM_GET_PIT2, &saved->pit) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_GET_PIT2 failed: %s", strerror(errno));
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (ioctl(vm->vcpus[i].fd, KVM_GET_LAPIC, &saved->lapic[i]) < 0)
			return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
					     "KVM_GET_LAPIC failed: %s", strerror(errno));
	return 0;
}

int irqchip_restore_power_on_state(struct vm *vm, const struct irqchip_power_on *saved,
				   struct vmm_error *err)
{
	if (!saved)
		return 0;
	/* Lower every line first: a level a device left high would otherwise fire at once. */
	for (unsigned irq = 0; irq < ISA_IRQ_COUNT; irq++)
		vm_set_irq_line(vm, irq, false);
	for (unsigned i = 0; i < CHIP_COUNT; i++)
		if (ioctl(vm->fd, KVM_SET_IRQCHIP, &saved->chips[i]) < 0)
			return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
					     "KVM_SET_IRQCHIP %u failed: %s", i, strerror(errno));
	if (ioctl(vm->fd, KVM_SET_PIT2, &saved->pit) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_SET_PIT2 failed: %s", strerror(errno));
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (ioctl(vm->vcpus[i].fd, KVM_SET_LAPIC, &saved->lapic[i]) < 0)
			return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
					     "KVM_SET_LAPIC failed: %s", strerror(errno));
	return 0;
}

void irqchip_power_on_free(struct irqchip_power_on *saved)
{
	free(saved);
}

int vm_set_irq_line(struct vm *vm, unsigned irq, bool level)
{
	if (!vm->irqchip || irq >= ISA_IRQ_COUNT)
		return 0;
	struct kvm_irq_level line = {.irq = irq, .level = level ? 1 : 0};
	return ioctl(vm->fd, KVM_IRQ_LINE, &line) < 0 ? -errno : 0;
}
