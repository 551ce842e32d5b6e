/* SPDX-License-Identifier: MIT */
/*
 * libseccomp compares a descriptor argument as two 32-bit words: the high word with 0 and the
 * low word with the number, `jeq`. An equality test gives the same answer whatever the number,
 * so the run time may write any real descriptor where a stand-in was compiled, provided the
 * stand-in is nowhere else: not a syscall or ioctl number, a mask, an offset or a return value.
 * That is what this walk proves, or refuses.
 */
#include "sandbox_stand_ins.h"

#include <linux/seccomp.h>
#include <string.h>

/* The accumulator's possible contents at an instruction (bits). */
enum acc_content {
	ACC_ARG0_LOW = 1, /* the low 32 bits of seccomp_data.args[0] */
	ACC_OTHER = 2,	  /* anything else: the start value, another field, a computed value */
};

#define ARG0_LOW_OFFSET offsetof(struct seccomp_data, args[0]) /* little-endian x86-64 */

/* What an instruction leaves in the accumulator, given what it found there. */
static unsigned char acc_after(const struct sock_filter *insn, unsigned char before)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_LD:
		return insn->code == (BPF_LD | BPF_W | BPF_ABS) && insn->k == ARG0_LOW_OFFSET
			   ? ACC_ARG0_LOW
			   : ACC_OTHER;
	case BPF_ALU:
		return ACC_OTHER;
	case BPF_MISC:
		return BPF_MISCOP(insn->code) == BPF_TXA ? ACC_OTHER : before;
	default: /* LDX, ST, STX, JMP, RET leave it alone */
		return before;
	}
}

const char *stand_ins_find(const struct sock_filter *insns, size_t len,
			   const struct sandbox_shape *shape, struct stand_in_places *places,
			   size_t *bad)
{
	unsigned char acc[BPF_MAXINSNS];
	*bad = 0;
	places->count = 0;
	if (len == 0 || len > BPF_MAXINSNS)
		return "no program the kernel would load (length)";
	memset(acc, 0, len);
	acc[0] = ACC_OTHER;
	for (size_t i = 0; i < len; i++) {
		const struct sock_filter *insn = &insns[i];
		*bad = i;
		unsigned role = insn->k - SANDBOX_STAND_IN;
		if (role < SANDBOX_FD_ROLES) { /* reached or not */
			if (insn->code != (BPF_JMP | BPF_JEQ | BPF_K))
				return "a stand-in descriptor number outside a jeq";
			if (acc[i] != ACC_ARG0_LOW)
				return "a stand-in compared with something else than argument 0's "
				       "low "
				       "word (or never reached)";
			if (shape->fds[role] < 0)
				return "a stand-in for a descriptor the shape does not have";
			places->insn[places->count] = (uint16_t)i;
			places->role[places->count++] = (uint8_t)role;
		}
		unsigned char out = acc_after(insn, acc[i]);
		size_t next[2] = {i + 1, i + 1};
		size_t targets = 1;
		if (BPF_CLASS(insn->code) == BPF_RET)
			targets = 0;
		else if (insn->code == (BPF_JMP | BPF_JA))
			next[0] = i + 1 + insn->k;
		else if (BPF_CLASS(insn->code) == BPF_JMP) {
			next[0] = i + 1 + insn->jt;
			next[1] = i + 1 + insn->jf;
			targets = 2;
		}
		for (size_t t = 0; t < targets; t++) {
			if (next[t] >= len)
				return "a jump or fall-through past the end";
			if (acc[i]) /* only what runs says what the accumulator holds */
				acc[next[t]] |= out;
		}
	}
	return NULL;
}
