/* SPDX-License-Identifier: MIT */
#include "gdb/gdb_regs.h"

#include <errno.h>
#include <string.h>

/* Register numbers are given explicitly (regnum) so the g packet layout below is the contract. */
const char gdb_target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386:x86-64</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>\n"
    "<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    "<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    "<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.sse\">\n"
    "<reg name=\"xmm0\" bitsize=\"128\" type=\"uint128\" regnum=\"40\"/>\n"
    "<reg name=\"xmm1\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm2\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm3\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm4\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm5\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm6\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm7\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm8\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm9\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm10\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm11\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm12\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm13\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm14\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"xmm15\" bitsize=\"128\" type=\"uint128\"/>\n"
    "<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.segments\">\n"
    "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"57\"/>\n"
    "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.sys\">\n"
    "<reg name=\"cr0\" bitsize=\"64\" type=\"int\" regnum=\"59\"/>\n"
    "<reg name=\"cr2\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"cr3\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"cr4\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"cr8\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"efer\" bitsize=\"64\" type=\"int\"/>\n"
    "</feature>\n"
    "</target>\n";
const size_t gdb_target_xml_len = sizeof gdb_target_xml - 1;

size_t gdb_reg_size(unsigned n)
{
	if (n <= GDB_REG_RIP)
		return 8;
	if (n <= 23)
		return 4; /* eflags, cs, ss, ds, es, fs, gs */
	if (n <= 31)
		return 10; /* st0-st7 */
	if (n <= 39)
		return 4; /* fctrl..fop */
	if (n <= 55)
		return 16; /* xmm0-xmm15 */
	if (n == 56)
		return 4; /* mxcsr */
	if (n < GDB_REG_COUNT)
		return 8; /* fs_base, gs_base, cr0, cr2, cr3, cr4, cr8, efer */
	return 0;
}

size_t gdb_regs_total(void)
{
	size_t total = 0;
	for (unsigned n = 0; n < GDB_REG_COUNT; n++)
		total += gdb_reg_size(n);
	return total;
}

/* The general registers in gdb's order, as pointers into kvm_regs. */
static __u64 *gpr(struct kvm_regs *r, unsigned n)
{
	__u64 *const order[GDB_REG_RIP + 1] = {
	    &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->rsp, &r->r8,
	    &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15, &r->rip,
	};
	return order[n];
}

static void put(uint8_t *out, uint64_t v, size_t size)
{
	for (size_t i = 0; i < size; i++)
		out[i] = (uint8_t)(v >> (8 * (i < 8 ? i : 7)));
}

void gdb_reg_get(const struct gdb_cpu_state *cpu, unsigned n, uint8_t *out)
{
	struct kvm_regs regs = cpu->regs;
	const struct kvm_sregs *s = &cpu->sregs;
	const struct kvm_fpu *f = &cpu->fpu;
	const struct kvm_segment *segs[6] = {&s->cs, &s->ss, &s->ds, &s->es, &s->fs, &s->gs};
	size_t size = gdb_reg_size(n);
	memset(out, 0, size);
	if (n <= GDB_REG_RIP)
		put(out, *gpr(&regs, n), 8);
	else if (n == GDB_REG_FLAGS)
		put(out, regs.rflags, 4);
	else if (n <= 23)
		put(out, segs[n - 18]->selector, 4);
	else if (n <= 31)
		memcpy(out, f->fpr[n - 24], 10);
	else if (n == 32)
		put(out, f->fcw, 4);
	else if (n == 33)
		put(out, f->fsw, 4);
	else if (n == 34)
		put(out, f->ftwx, 4); /* KVM's abridged tag word, as FXSAVE stores it */
	else if (n == 36)
		put(out, f->last_ip, 4);
	else if (n == 38)
		put(out, f->last_dp, 4);
	else if (n == 39)
		put(out, f->last_opcode, 4);
	else if (n >= 40 && n <= 55)
		memcpy(out, f->xmm[n - 40], 16);
	else if (n == 56)
		put(out, f->mxcsr, 4);
	else if (n == 57)
		put(out, s->fs.base, 8);
	else if (n == 58)
		put(out, s->gs.base, 8);
	else if (n >= 59 && n < GDB_REG_COUNT) {
		const uint64_t sys[6] = {s->cr0, s->cr2, s->cr3, s->cr4, s->cr8, s->efer};
		put(out, sys[n - 59], 8);
	}
}

int gdb_reg_set(struct gdb_cpu_state *cpu, unsigned n, const uint8_t *in)
{
	uint64_t v = 0;
	size_t size = gdb_reg_size(n);
	if (n > GDB_REG_FLAGS)
		return -EINVAL;
	for (size_t i = 0; i < size; i++)
		v |= (uint64_t)in[i] << (8 * i);
	if (n == GDB_REG_FLAGS)
		cpu->regs.rflags = (cpu->regs.rflags & ~0xffffffffull) | v;
	else
		*gpr(&cpu->regs, n) = v;
	return 0;
}
