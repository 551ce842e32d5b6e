/* SPDX-License-Identifier: MIT */
/*
 * The machine state at a Multiboot v1 entry (Multiboot Specification 0.6.96, 3.2): 32-bit
 * protected mode with paging off, flat 4 GiB code and data segments, EAX = 0x2BADB002, EBX = the
 * boot information, interrupts off. The kernel must load its own GDT and IDT before relying on
 * segment reloads or exceptions; minivmm still leaves a valid GDT at PC_BOOT_GDT_GPA
 * (platform/pc_layout.h).
 */
#ifndef MINIVMM_X86_PROTECTED_MODE_H
#define MINIVMM_X86_PROTECTED_MODE_H

#include <linux/kvm.h>
#include <stdint.h>

#include "machine/guest_mem.h"
#include "util/vmm_error.h"

/* Writes the 32-bit GDT (null, code 0x08, data 0x10) into the reserved pages. */
int x86_build_protected_mode_gdt(struct guest_mem *mem, struct vmm_error *err);

/* Fills sregs (starting from KVM's reset values) for flat 32-bit ring 0, paging off, EFER 0. */
void x86_protected_mode_sregs(struct kvm_sregs *sregs);

/* EIP = entry, EAX = the Multiboot magic, EBX = info_gpa, EFLAGS with IF and VM clear. */
void x86_protected_mode_regs(struct kvm_regs *regs, uint32_t entry, uint32_t info_gpa);

#endif
