/* SPDX-License-Identifier: MIT */
#include "snapshot/snapshot_machine.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "machine/vm.h"
#include "snapshot/snapshot.h"
#include "snapshot/snapshot_parser.h"
#include "snapshot/snapshot_vcpu.h"
#include "snapshot/snapshot_writer.h"

static const char *const chip_sections[] = {"irqchip.pic-master", "irqchip.pic-slave",
					    "irqchip.ioapic"};
#define CHIP_COUNT	3 /* KVM_IRQCHIP_PIC_MASTER, _PIC_SLAVE, _IOAPIC */
#define PIT_SECTION	"irqchip.pit"
#define MACHINE_SECTION "machine"
#define CLOCK_SECTION	"kvmclock"

/* The "machine" section. */
struct snapshot_machine_state {
	uint32_t tsc_khz; /* KVM_GET_TSC_KHZ of vCPU 0; 0: unknown */
	uint32_t reserved;
};

/* The "kvmclock" section: KVM's paravirtual clock (api.rst 4.50 KVM_GET_CLOCK), the guest's
 * nanoseconds as its kvmclock pages show them. Absent when KVM cannot say (no
 * KVM_CAP_ADJUST_CLOCK); a restore without it leaves the new VM's clock as KVM starts it. */
struct snapshot_kvmclock {
	uint64_t clock_ns;
	uint64_t reserved;
};

static int kvm_fail(struct vmm_error *err, const char *what)
{
	return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE, "%s failed: %s", what,
			     strerror(errno));
}

static int save_devices(struct vm *vm, struct snapshot_builder *b, struct vmm_error *err)
{
	uint8_t *buf = malloc(DEVICE_STATE_MAX);
	if (!buf)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	int ret = 0;
	for (unsigned i = 0; !ret && i < vm->devices.count; i++) {
		const struct device_entry *d = &vm->devices.entries[i];
		/* A reset hook means state the guest can change: without a save hook it would be
		 * lost, and the restored guest would find the device at power-on. */
		if (d->reset && !d->save) {
			ret = vmm_error_set(err, -ENOTSUP, VMM_EXIT_INTERNAL,
					    "cannot save device %s: it has guest state but no "
					    "snapshot hooks (docs/snapshot.md, adding a device)",
					    d->name);
			break;
		}
		if (!d->save)
			continue;
		char name[SNAPSHOT_SECTION_NAME_SIZE];
		snprintf(name, sizeof name, "dev.%s", d->name);
		ret = snapshot_builder_add(b, name, buf, d->save(d->state, buf), err);
	}
	free(buf);
	return ret;
}

int snapshot_machine_save(struct vm *vm, struct snapshot_builder *b, struct vmm_error *err)
{
	/* Devices first: what one does while saving (virtio serves a doorbell still pending)
	 * may raise an interrupt, which must be in the controllers' and vCPUs' state saved
	 * after. */
	int ret = save_devices(vm, b, err);
	struct snapshot_machine_state m = {0};
	int khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
	m.tsc_khz = khz > 0 ? (uint32_t)khz : 0;
	ret = ret ?: snapshot_builder_add(b, MACHINE_SECTION, &m, sizeof m, err);
	for (unsigned i = 0; !ret && vm->irqchip && i < CHIP_COUNT; i++) {
		struct kvm_irqchip chip = {.chip_id = i};
		if (ioctl(vm->fd, KVM_GET_IRQCHIP, &chip) < 0)
			return kvm_fail(err, "KVM_GET_IRQCHIP");
		ret = snapshot_builder_add(b, chip_sections[i], &chip, sizeof chip, err);
	}
	if (!ret && vm->irqchip) {
		struct kvm_pit_state2 pit;
		if (ioctl(vm->fd, KVM_GET_PIT2, &pit) < 0)
			return kvm_fail(err, "KVM_GET_PIT2");
		ret = snapshot_builder_add(b, PIT_SECTION, &pit, sizeof pit, err);
	}
	const struct snapshot_vcpu_caps *caps = snapshot_vcpu_caps_of(vm);
	if (!ret && caps && caps->kvmclock) {
		struct kvm_clock_data clock = {0};
		if (ioctl(vm->fd, KVM_GET_CLOCK, &clock) < 0)
			return kvm_fail(err, "KVM_GET_CLOCK");
		struct snapshot_kvmclock c = {.clock_ns = clock.clock};
		ret = snapshot_builder_add(b, CLOCK_SECTION, &c, sizeof c, err);
	}
	return ret;
}

static int restore_devices(struct vm *vm, const struct snapshot_view *view, struct vmm_error *err)
{
	unsigned expected = 0;
	for (unsigned i = 0; i < vm->devices.count; i++) {
		const struct device_entry *d = &vm->devices.entries[i];
		if (!d->load)
			continue;
		expected++;
		char name[SNAPSHOT_SECTION_NAME_SIZE];
		snprintf(name, sizeof name, "dev.%s", d->name);
		size_t size;
		const void *data = snapshot_section(view, name, &size);
		if (!data)
			return vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
					     "bad snapshot: no section '%s' for device %s", name,
					     d->name);
		if (d->load(d->state, data, size))
			return vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
					     "bad snapshot: section '%s' (%zu bytes) is not a "
					     "state this minivmm's %s can take",
					     name, size, d->name);
	}
	/* A device section no device here takes: saved by a machine with other devices. */
	unsigned present = 0;
	for (uint32_t i = 0; i < view->header.section_count; i++)
		present += strncmp(view->table[i].name, "dev.", 4) == 0;
	if (present != expected)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
				     "bad snapshot: %u device sections, this minivmm's machine "
				     "has %u devices with state",
				     present, expected);
	return 0;
}

static void restore_tsc_khz(struct vm *vm, const struct snapshot_machine_state *m)
{
	int host = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
	if (!m->tsc_khz || host <= 0 || (uint32_t)host == m->tsc_khz)
		return;
	/* api.rst 4.55 KVM_SET_TSC_KHZ: needs TSC scaling in hardware (KVM_CAP_TSC_CONTROL). */
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (ioctl(vm->vcpus[i].fd, KVM_SET_TSC_KHZ, m->tsc_khz) < 0) {
			fprintf(stderr,
				"minivmm: note: the snapshot's TSC ran at %u kHz, this host's at "
				"%d kHz and KVM cannot scale it: the guest's clock runs at the "
				"host's rate\n",
				m->tsc_khz, host);
			return;
		}
}

/* The clock goes on from the saved value, as the guest's TSC does from its saved IA32_TSC: the
 * time the VM spent saved does not pass for it (flags 0: no KVM_CLOCK_REALTIME catch-up,
 * api.rst 4.51). */
static int restore_kvmclock(struct vm *vm, const struct snapshot_view *view, struct vmm_error *err)
{
	size_t size;
	if (!snapshot_section(view, CLOCK_SECTION, &size))
		return 0; /* saved where KVM could not say */
	struct snapshot_kvmclock c;
	int ret = snapshot_section_exact(view, CLOCK_SECTION, &c, sizeof c, err);
	if (!ret && c.reserved)
		ret = vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
				    "bad snapshot: section '%s' has reserved bits set",
				    CLOCK_SECTION);
	if (ret)
		return ret;
	const struct snapshot_vcpu_caps *caps = snapshot_vcpu_caps_of(vm);
	if (!caps || !caps->kvmclock) {
		fprintf(stderr, "minivmm: note: this KVM cannot set the guest's kvmclock "
				"(no KVM_CAP_ADJUST_CLOCK): it starts again from 0\n");
		return 0;
	}
	struct kvm_clock_data clock = {.clock = c.clock_ns};
	if (ioctl(vm->fd, KVM_SET_CLOCK, &clock) < 0)
		return kvm_fail(err, "KVM_SET_CLOCK");
	return 0;
}

int snapshot_machine_restore(struct vm *vm, const struct snapshot_view *view, struct vmm_error *err)
{
	struct snapshot_machine_state m;
	int ret = snapshot_section_exact(view, MACHINE_SECTION, &m, sizeof m, err);
	ret = ret ?: restore_devices(vm, view, err);
	if (ret)
		return ret;
	restore_tsc_khz(vm, &m);
	for (unsigned i = 0; vm->irqchip && i < CHIP_COUNT; i++) {
		struct kvm_irqchip chip;
		ret = snapshot_section_exact(view, chip_sections[i], &chip, sizeof chip, err);
		if (!ret && chip.chip_id != i)
			ret = vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
					    "bad snapshot: section '%s' holds chip %u",
					    chip_sections[i], chip.chip_id);
		if (ret)
			return ret;
		if (ioctl(vm->fd, KVM_SET_IRQCHIP, &chip) < 0)
			return kvm_fail(err, "KVM_SET_IRQCHIP");
	}
	if (vm->irqchip) {
		struct kvm_pit_state2 pit;
		ret = snapshot_section_exact(view, PIT_SECTION, &pit, sizeof pit, err);
		if (ret)
			return ret;
		if (ioctl(vm->fd, KVM_SET_PIT2, &pit) < 0)
			return kvm_fail(err, "KVM_SET_PIT2");
	}
	return restore_kvmclock(vm, view, err);
}
