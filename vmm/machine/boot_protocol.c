/* SPDX-License-Identifier: MIT */
/*
 * Choosing between direct 64-bit boot and Multiboot v1 (boot_protocol.h), and the vCPU state at
 * each entry: long mode (Intel SDM vol. 3A 10.8.5, done by the VMM) or 32-bit protected mode
 * with paging off (Multiboot Specification 0.6.96, 3.2).
 */
#include "machine/boot_protocol.h"

#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "loader/multiboot.h"
#include "minivmm/boot_abi.h"
#include "machine/vm.h"
#include "x86/protected_mode.h"

int boot_protocol_parse(const char *name, enum boot_protocol *out)
{
	static const char *const names[] = {"auto", "direct64", "multiboot"};
	for (int i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum boot_protocol)i;
			return 0;
		}
	return -EINVAL;
}

/* e_entry of an ELF64 x86-64 file (raw header: fixed offsets, ELF64 e_entry at byte 24), or 0. */
static uint64_t elf64_x86_64_entry(const uint8_t *image, size_t size)
{
	if (size < sizeof(Elf64_Ehdr) || memcmp(image, ELFMAG, SELFMAG) != 0 ||
	    image[EI_CLASS] != ELFCLASS64 || image[EI_DATA] != ELFDATA2LSB)
		return 0;
	Elf64_Ehdr ehdr;
	memcpy(&ehdr, image, sizeof ehdr);
	return ehdr.e_machine == EM_X86_64 ? ehdr.e_entry : 0;
}

enum boot_protocol boot_protocol_detect(const void *image, size_t size)
{
	struct multiboot_image_header h;
	struct vmm_error ignored;
	if (!image || multiboot_find_header(image, size, &h, &ignored) != 0)
		return BOOT_DIRECT64;
	uint64_t entry64 = elf64_x86_64_entry(image, size);
	if (!entry64)
		return BOOT_MULTIBOOT;
	bool kludge_entry_is_elf_entry =
	    (h.fields.flags & MULTIBOOT_AOUT_KLUDGE) && h.fields.entry_addr == entry64;
	return kludge_entry_is_elf_entry ? BOOT_MULTIBOOT : BOOT_DIRECT64;
}

int boot_protocol_load(struct vm *vm, const struct load_constraints *limits, struct vmm_error *err)
{
	const struct vm_config *cfg = &vm->cfg;
	struct boot_protocol_state *state = &vm->boot_protocol;
	enum boot_protocol p = cfg->boot;
	if (p == BOOT_AUTO)
		p = boot_protocol_detect(cfg->image, cfg->image_size);
	state->multiboot = p == BOOT_MULTIBOOT;
	if (!state->multiboot && cfg->module_count)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "--module needs a multiboot boot, and this guest boots direct "
				     "64-bit: add --boot multiboot (the kernel needs a multiboot "
				     "header)");
	if (!state->multiboot)
		return elf_load_image(&vm->mem, limits, cfg->image, cfg->image_size, &vm->loaded,
				      err);
	struct multiboot_boot_params params = {.kernel_name = cfg->image_name,
					       .cmdline = cfg->cmdline,
					       .modules = cfg->modules,
					       .module_count = cfg->module_count};
	int ret = multiboot_load_image(&vm->mem, limits, cfg->image, cfg->image_size, &params,
				       &vm->loaded, &state->multiboot_info_gpa, err);
	return ret ?: x86_build_protected_mode_gdt(&vm->mem, err);
}

static int enter_protected_mode(struct vcpu *vcpu, uint32_t entry, uint32_t info,
				struct vmm_error *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_GET_SREGS failed: %s", strerror(errno));
	x86_protected_mode_sregs(&sregs);
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_SET_SREGS (protected mode) failed: %s", strerror(errno));
	x86_protected_mode_regs(&regs, entry, info);
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_SET_REGS failed: %s", strerror(errno));
	return 0;
}

/*
 * An application processor (vCPU index > 0), started by the VMM ("direct SMP", the default):
 * long mode at the same entry as the BSP, with RSI = MINIVMM_AP_MAGIC and RDX = its number, so
 * the kernel branches before it touches a stack. With the in-kernel LAPIC, KVM creates a
 * non-BSP vCPU in the wait-for-SIPI state (KVM_MP_STATE_UNINITIALIZED); KVM_SET_MP_STATE
 * RUNNABLE (api.rst 4.39) lets it run from these registers instead of waiting for the
 * INIT-SIPI-SIPI of Intel SDM vol. 3A 9.4.4. Without an irqchip userspace owns the MP state and
 * every vCPU is runnable. The BSP stays vCPU 0, KVM's default (KVM_SET_BOOT_CPU_ID, 4.73).
 */
static int enter_application_processor(struct vm *vm, struct vcpu *vcpu, struct vmm_error *err)
{
	/* A multiboot kernel starts its APs as on a PC: Multiboot 0.6.96 defines only the boot
	 * processor's entry, and the others wait for the kernel's INIT-SIPI-SIPI, as --sipi-smp
	 * asks for the toy guest. That needs KVM's LAPIC: without it nothing delivers a SIPI. */
	bool multiboot = vm->boot_protocol.multiboot;
	if (multiboot && vm->cfg.direct_smp)
		return vmm_error_set(
		    err, -EINVAL, VMM_EXIT_USAGE,
		    "--direct-smp needs the direct 64-bit boot: a multiboot kernel "
		    "starts its application processors itself (drop --direct-smp)");
	if (multiboot && !vm->irqchip)
		return vmm_error_set(
		    err, -EINVAL, vm->cfg.no_irqchip ? VMM_EXIT_USAGE : VMM_EXIT_KVM_UNAVAILABLE,
		    "--cpus > 1 with a multiboot kernel needs KVM's in-kernel LAPIC, which %s: the "
		    "kernel starts its processors with INIT-SIPI-SIPI (drop --no-irqchip, or give "
		    "--cpus 1)",
		    vm->cfg.no_irqchip ? "--no-irqchip turns off" : "this host's KVM lacks");
	/* KVM keeps the AP waiting for an INIT and a SIPI; the guest's INIT resets it and its
	 * SIPI gives it CS:IP (SDM vol. 3A 9.4.4, 11.6.1). Setting the state KVM creates an AP in
	 * is a no-op at creation and, for a reboot, takes the AP out of the old boot. */
	if ((vm->cfg.sipi_smp || multiboot) && vm->irqchip) {
		struct kvm_mp_state waiting = {.mp_state = KVM_MP_STATE_UNINITIALIZED};
		if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &waiting) < 0)
			return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
					     "KVM_SET_MP_STATE (vCPU %u waits for SIPI) failed: %s",
					     vcpu->index, strerror(errno));
		return 0;
	}
	int ret = vcpu_enter_long_mode(vcpu, vm->loaded.entry, err);
	if (ret)
		return ret;
	struct kvm_regs regs;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_GET_REGS failed: %s", strerror(errno));
	regs.rsi = MINIVMM_AP_MAGIC;
	regs.rdx = vcpu->index;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_SET_REGS failed: %s", strerror(errno));
	struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};
	if (vm->irqchip && ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_SET_MP_STATE (vCPU %u runnable) failed: %s", vcpu->index,
				     strerror(errno));
	return 0;
}

int boot_protocol_enter(struct vm *vm, struct vcpu *vcpu, struct vmm_error *err)
{
	if (vcpu->index > 0)
		return enter_application_processor(vm, vcpu, err);
	if (vm->boot_protocol.multiboot)
		return enter_protected_mode(vcpu, (uint32_t)vm->loaded.entry,
					    vm->boot_protocol.multiboot_info_gpa, err);
	return vcpu_enter_long_mode(vcpu, vm->loaded.entry, err);
}

int boot_modules_load(const char *const *specs, unsigned count, struct multiboot_module_spec *out,
		      struct vmm_error *err)
{
	for (unsigned i = 0; i < count; i++) {
		char *name = strdup(specs[i]);
		if (!name) {
			boot_modules_free(out, i);
			return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
					     "out of memory");
		}
		char *comma = strchr(name, ',');
		if (comma)
			*comma = '\0';
		out[i] = (struct multiboot_module_spec){.name = name,
							.string = comma ? comma + 1 : name};
		/* Opened and sized only: the loader reads it into guest RAM once all fits. */
		int ret = loader_open_file(name, "--module file", &out[i].fd, &out[i].size, err);
		if (ret) {
			free(name);
			boot_modules_free(out, i);
			return ret;
		}
	}
	return 0;
}

void boot_modules_free(struct multiboot_module_spec *modules, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		if (modules[i].fd >= 0)
			close(modules[i].fd);
		free((void *)modules[i].name);
		modules[i] = (struct multiboot_module_spec){.fd = -1};
	}
}
