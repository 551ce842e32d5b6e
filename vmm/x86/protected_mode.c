/* SPDX-License-Identifier: MIT */
/*
 * 32-bit protected-mode entry state for Multiboot v1 kernels (Multiboot Specification 0.6.96,
 * 3.2 "Machine state"; Intel SDM vol. 3A 3.4.5 segment descriptors, 10.9.1 switching to
 * protected mode, whose end state this builds directly in the vCPU's registers).
 */
#include "x86/protected_mode.h"

#include <errno.h>
#include <string.h>

#include "minivmm/boot_abi.h"
#include "minivmm/multiboot.h"
#include "platform/pc_layout.h"
#include "x86/long_mode.h"

/* Flat 4 GiB descriptors: base 0, limit 0xfffff with G=1, D/B=1 (32-bit), DPL 0, present. */
#define GDT_ENTRY_CODE32 0x00cf9a000000ffffull /* execute/read */
#define GDT_ENTRY_DATA32 0x00cf92000000ffffull /* read/write */
#define PM_GDT_ENTRIES	 3

int x86_build_protected_mode_gdt(struct guest_mem *mem, struct vmm_error *err)
{
	const uint64_t gdt[PM_GDT_ENTRIES] = {0, GDT_ENTRY_CODE32, GDT_ENTRY_DATA32};
	void *dst = guest_mem_gpa_to_hva(mem, PC_BOOT_GDT_GPA, sizeof gdt);
	if (!dst)
		return vmm_error_set(err, -EFAULT, VMM_EXIT_INTERNAL,
				     "guest RAM too small for the 32-bit GDT");
	memcpy(dst, gdt, sizeof gdt);
	return 0;
}

static struct kvm_segment flat32(uint16_t selector, uint8_t type)
{
	/* KVM's segment cache in the unpacked form of the descriptors above. */
	return (struct kvm_segment){.base = 0,
				    .limit = 0xffffffff,
				    .selector = selector,
				    .type = type,
				    .present = 1,
				    .dpl = 0,
				    .db = 1,
				    .s = 1,
				    .l = 0,
				    .g = 1};
}

void x86_protected_mode_sregs(struct kvm_sregs *sregs)
{
	/* 3.2: "CS must be a 32-bit read/execute code segment with an offset of 0 and a limit of
	 * 0xFFFFFFFF"; DS, ES, FS, GS, SS likewise read/write data segments. */
	sregs->cs = flat32(MINIVMM_PM_CS, 0xb); /* execute/read, accessed */
	sregs->ds = flat32(MINIVMM_PM_DS, 0x3); /* read/write, accessed */
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->gdt.base = PC_BOOT_GDT_GPA;
	sregs->gdt.limit = PM_GDT_ENTRIES * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	/* 3.2: "CR0 bit 31 (PG) must be cleared. Bit 0 (PE) must be set." ET is fixed to 1 on
	 * every CPU since the i486; paging, PAE and long mode are off. */
	sregs->cr0 = X86_CR0_PE | X86_CR0_ET;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
}

void x86_protected_mode_regs(struct kvm_regs *regs, uint32_t entry, uint32_t info_gpa)
{
	memset(regs, 0, sizeof *regs);
	regs->rip = entry;
	regs->rax = MULTIBOOT_BOOTLOADER_MAGIC;
	regs->rbx = info_gpa;
	/* 3.2: ESP is undefined; the top of minivmm's reserved boot data area is a stack nothing
	 * else uses, so a kernel that pushes before setting its own does not write over itself. */
	regs->rsp = PC_BOOT_STACK_TOP;
	regs->rflags = 0x2; /* 3.2: VM (bit 17) and IF (bit 9) clear; bit 1 is reserved-one */
}
