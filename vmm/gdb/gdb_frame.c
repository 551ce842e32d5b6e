/* SPDX-License-Identifier: MIT */
#include "gdb/gdb_frame.h"

#include <errno.h>
#include <string.h>

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

int x86_idt_gate_handler(const uint8_t gate[X86_IDT_GATE_SIZE], uint64_t *handler)
{
	unsigned type = gate[5] & 0xf;
	if (!(gate[5] & 0x80) || (type != 0xe && type != 0xf)) /* P; 64-bit interrupt/trap gate */
		return -ENOENT;
	*handler = (uint64_t)gate[0] | (uint64_t)gate[1] << 8 | (uint64_t)gate[6] << 16 |
		   (uint64_t)gate[7] << 24 | (uint64_t)le64(gate + 8) << 32;
	return 0;
}

int x86_iret_frame_from_user(const uint8_t bytes[X86_IRET_FRAME_SIZE], struct x86_iret_frame *f)
{
	f->rip = le64(bytes);
	f->cs = le64(bytes + 8);
	f->rflags = le64(bytes + 16);
	f->rsp = le64(bytes + 24);
	f->ss = le64(bytes + 32);
	if (f->cs > 0xffff || f->ss > 0xffff || (f->cs & 3) != 3 || (f->ss & 3) != 3 ||
	    !(f->rflags & 2))
		return -EINVAL;
	return 0;
}

int x86_segment_from_descriptor(uint64_t desc, uint16_t selector, struct kvm_segment *seg)
{
	unsigned access = (unsigned)(desc >> 40) & 0xff, flags = (unsigned)(desc >> 52) & 0xf;
	if (!(access & 0x80) || !(access & 0x10)) /* P; S: code or data */
		return -EINVAL;
	uint32_t limit = (uint32_t)(desc & 0xffff) | (uint32_t)((desc >> 48) & 0xf) << 16;
	memset(seg, 0, sizeof *seg);
	seg->base = ((desc >> 16) & 0xffffff) | ((desc >> 56) & 0xff) << 24;
	seg->limit = flags & 0x8 ? limit << 12 | 0xfff : limit;
	seg->selector = selector;
	seg->type = (access & 0xf) | 1; /* accessed: loading it set the bit (SDM 3.4.5.1) */
	seg->s = 1;
	seg->dpl = (access >> 5) & 3;
	seg->present = 1;
	seg->avl = flags & 1;
	seg->l = (flags >> 1) & 1;
	seg->db = (flags >> 2) & 1;
	seg->g = (flags >> 3) & 1;
	return 0;
}

void x86_user_state_from_frame(const struct x86_iret_frame *f, unsigned vector, bool keep_tf,
			       struct kvm_regs *regs)
{
	regs->rip = vector == X86_VECTOR_BP ? f->rip - 1 : f->rip;
	regs->rsp = f->rsp;
	regs->rflags = keep_tf ? f->rflags : f->rflags & ~X86_RFLAGS_TF;
}
