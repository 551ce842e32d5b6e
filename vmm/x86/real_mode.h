/* SPDX-License-Identifier: MIT */
/*
 * Real-address mode entry at segment:offset, as firmware leaves the boot processor when it jumps
 * to an OS's ACPI waking vector (ACPI 6.5 section 5.2.10, Firmware_Waking_Vector: "CS = vector
 * >> 4, IP = vector & 0xF"): every segment a 64 KiB real-mode segment, paging and protection off,
 * the real-mode interrupt vector table at 0 (Intel SDM vol. 3A 9.1.1 and table 9-1).
 */
#ifndef MINIVMM_X86_REAL_MODE_H
#define MINIVMM_X86_REAL_MODE_H

#include <linux/kvm.h>
#include <stdint.h>

/* sregs for real mode with CS = cs_selector (base cs_selector << 4); the data segments are 0. */
void x86_real_mode_sregs(struct kvm_sregs *sregs, uint16_t cs_selector);

/* IP = ip, EFLAGS 2 (IF clear), every other register 0. */
void x86_real_mode_regs(struct kvm_regs *regs, uint16_t ip);

#endif
