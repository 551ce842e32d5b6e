/* SPDX-License-Identifier: MIT */
/*
 * The registers gdb sees, in the order of the target description minivmm sends (qXfer
 * features, "target.xml"): i386:x86-64 with the core, SSE, segment-base and control-register
 * features, as gdb's amd64 code expects them.
 */
#ifndef MINIVMM_GDB_REGS_H
#define MINIVMM_GDB_REGS_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_REG_COUNT 65
#define GDB_REG_RIP   16
#define GDB_REG_FLAGS 17

/* One vCPU's state as KVM gives it. */
struct gdb_cpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
};

extern const char gdb_target_xml[];
extern const size_t gdb_target_xml_len;

/* The size in bytes of register n, or 0 if there is no such register. */
size_t gdb_reg_size(unsigned n);

/* The bytes of register n (little-endian, gdb_reg_size(n) of them) into out. */
void gdb_reg_get(const struct gdb_cpu_state *cpu, unsigned n, uint8_t *out);

/* Sets register n from its bytes. Returns 0, or -EINVAL for a register minivmm does not write
 * (only the general registers, RIP and RFLAGS are writable). */
int gdb_reg_set(struct gdb_cpu_state *cpu, unsigned n, const uint8_t *in);

/* The whole g packet's size in bytes. */
size_t gdb_regs_total(void);

#endif
