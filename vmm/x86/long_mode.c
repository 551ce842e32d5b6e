/* SPDX-License-Identifier: MIT */
#include "x86/long_mode.h"

#include <errno.h>
#include <string.h>

#include "minivmm/boot_abi.h"

/* 64-bit code and flat data descriptors (Intel SDM vol. 3A, 3.4.5 and 5.2.1): in long mode base
 * and limit are ignored for code and data, but KVM checks them for consistency at entry. */
#define GDT_ENTRY_CODE64 0x00af9a000000ffffull /* P, DPL0, code exec/read, L=1, G=1 */
#define GDT_ENTRY_DATA	 0x00cf92000000ffffull /* P, DPL0, data read/write, D/B=1, G=1 */

static int write_u64_table(struct guest_mem *mem, uint64_t gpa, const uint64_t *entries,
			   unsigned count)
{
	void *dst = guest_mem_gpa_to_hva(mem, gpa, (uint64_t)count * 8);
	if (!dst)
		return -EFAULT;
	memcpy(dst, entries, (size_t)count * 8);
	return 0;
}

int x86_build_boot_structures(struct guest_mem *mem, struct vmm_error *err)
{
	const uint64_t gdt[3] = {0, GDT_ENTRY_CODE64, GDT_ENTRY_DATA};
	uint64_t pml4[512] = {0}, pdpt[512] = {0}, pd[512];

	/* Guest RAM is at least MINIVMM_RAM_MIN, so every reserved page exists; check anyway. */
	if (!guest_mem_range_ok(mem, 0, MINIVMM_RESERVED_END))
		return vmm_error_set(err, -EFAULT, VMM_EXIT_INTERNAL,
				     "guest RAM too small for the boot structures");

	pml4[0] = MINIVMM_PDPT_GPA | X86_PTE_PRESENT | X86_PTE_WRITABLE;
	for (unsigned i = 0; i < MINIVMM_PD_COUNT; i++)
		pdpt[i] = (MINIVMM_PD_GPA + i * 0x1000ull) | X86_PTE_PRESENT | X86_PTE_WRITABLE;
	int ret = write_u64_table(mem, MINIVMM_GDT_GPA, gdt, 3);
	ret = ret ?: write_u64_table(mem, MINIVMM_PML4_GPA, pml4, 512);
	ret = ret ?: write_u64_table(mem, MINIVMM_PDPT_GPA, pdpt, 512);
	for (unsigned i = 0; i < MINIVMM_PD_COUNT && !ret; i++) {
		/* 2 MiB pages over RAM and beyond: addresses past RAM are the MMIO window, which
		 * must be mapped so that guest accesses reach KVM as MMIO exits. */
		for (unsigned j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30 | (uint64_t)j << 21) | X86_PTE_PRESENT |
				X86_PTE_WRITABLE | X86_PTE_LARGE;
		ret = write_u64_table(mem, MINIVMM_PD_GPA + i * 0x1000ull, pd, 512);
	}
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL,
				     "boot structures do not fit in guest RAM");
	return 0;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, int is_code)
{
	return (struct kvm_segment){
	    .base = 0,
	    .limit = 0xffffffff,
	    .selector = selector,
	    .type = type,
	    .present = 1,
	    .dpl = 0,
	    .db = is_code ? 0 : 1, /* L=1 requires D=0 (SDM vol. 3A, 5.2.1) */
	    .s = 1,
	    .l = is_code ? 1 : 0,
	    .g = 1,
	};
}

void x86_long_mode_sregs(struct kvm_sregs *sregs)
{
	sregs->cs = flat_segment(MINIVMM_BOOT_CS, 0xb, 1); /* execute/read, accessed */
	sregs->ds = flat_segment(MINIVMM_BOOT_DS, 0x3, 0); /* read/write, accessed */
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->gdt.base = MINIVMM_GDT_GPA;
	sregs->gdt.limit = 3 * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit = 0; /* an exception before the guest loads its IDT is a triple fault */
	sregs->cr3 = MINIVMM_PML4_GPA;
	sregs->cr4 = X86_CR4_PAE;
	sregs->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	sregs->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE;
}

void x86_long_mode_regs(struct kvm_regs *regs, uint64_t entry)
{
	memset(regs, 0, sizeof *regs);
	regs->rip = entry;
	regs->rsp = MINIVMM_BOOT_STACK_TOP;
	regs->rflags = 0x2; /* bit 1 is reserved-one; IF clear: no interrupts yet */
	regs->rdi = MINIVMM_BOOT_INFO_GPA;
	regs->rsi = MINIVMM_BOOT_MAGIC;
}

static int read_entry(const struct guest_mem *mem, uint64_t table, unsigned index, uint64_t *entry)
{
	const void *src = guest_mem_gpa_to_hva(mem, (table & X86_PTE_ADDR_MASK) + index * 8ull, 8);
	if (!src)
		return -EFAULT;
	memcpy(entry, src, 8);
	return (*entry & X86_PTE_PRESENT) ? 0 : -EFAULT;
}

int x86_translate(const struct guest_mem *mem, uint64_t cr3, uint64_t vaddr, uint64_t *paddr)
{
	uint64_t e;
	if (read_entry(mem, cr3, (vaddr >> 39) & 511, &e) ||
	    read_entry(mem, e, (vaddr >> 30) & 511, &e))
		return -EFAULT;
	if (e & X86_PTE_LARGE) { /* 1 GiB page */
		*paddr =
		    (e & X86_PTE_ADDR_MASK & ~((1ull << 30) - 1)) | (vaddr & ((1ull << 30) - 1));
		return 0;
	}
	if (read_entry(mem, e, (vaddr >> 21) & 511, &e))
		return -EFAULT;
	if (e & X86_PTE_LARGE) { /* 2 MiB page */
		*paddr =
		    (e & X86_PTE_ADDR_MASK & ~((1ull << 21) - 1)) | (vaddr & ((1ull << 21) - 1));
		return 0;
	}
	if (read_entry(mem, e, (vaddr >> 12) & 511, &e))
		return -EFAULT;
	*paddr = (e & X86_PTE_ADDR_MASK) | (vaddr & 0xfff);
	return 0;
}
