/* SPDX-License-Identifier: MIT */
/*
 * Direct 64-bit boot, as Firecracker and Solo5's hvt do: the VMM builds what firmware and a
 * boot loader would (a GDT, identity-mapped page tables, control registers) so the guest's
 * first instruction already runs in long mode. Intel SDM vol. 3A, 10.8.5 (initializing IA-32e
 * mode) lists the steps this replaces.
 */
#ifndef MINIVMM_X86_LONG_MODE_H
#define MINIVMM_X86_LONG_MODE_H

#include <linux/kvm.h>
#include <stdint.h>

#include "machine/guest_mem.h"

/* Page-table entry bits, Intel SDM vol. 3A, 5.5 (4-level paging). */
#define X86_PTE_PRESENT	  (1ull << 0)
#define X86_PTE_WRITABLE  (1ull << 1)
#define X86_PTE_USER	  (1ull << 2)
#define X86_PTE_LARGE	  (1ull << 7) /* PS: a 2 MiB page in a PD entry */
#define X86_PTE_ADDR_MASK 0x000ffffffffff000ull

#define X86_CR0_PE   (1ull << 0)
#define X86_CR0_MP   (1ull << 1)
#define X86_CR0_ET   (1ull << 4)
#define X86_CR0_NE   (1ull << 5)
#define X86_CR0_WP   (1ull << 16)
#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_PAE  (1ull << 5)
#define X86_EFER_SCE (1ull << 0)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)

/* Writes the boot GDT and the page tables identity-mapping 0..4 GiB into the reserved pages. */
int x86_build_boot_structures(struct guest_mem *mem, struct vmm_error *err);

/* Fills sregs (starting from KVM's reset values) for 64-bit ring 0 with the structures above. */
void x86_long_mode_sregs(struct kvm_sregs *sregs);

/* General registers at entry: RIP, RSP, RFLAGS, and the boot-info pointer and magic. */
void x86_long_mode_regs(struct kvm_regs *regs, uint64_t entry);

/* Walks the guest's 4-level page tables from cr3 (for tests and fault reports). Returns 0 and
 * the physical address, or -EFAULT if unmapped or the tables lie outside RAM. */
int x86_translate(const struct guest_mem *mem, uint64_t cr3, uint64_t vaddr, uint64_t *paddr);

#endif
