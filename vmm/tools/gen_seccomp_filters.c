/* SPDX-License-Identifier: MIT */
/*
 * Build-time tool: compiles the sandbox's policy (vmm/host/sandbox_policy.c) with libseccomp into
 * one classic-BPF program per option set and vCPU count, and writes them as a C header for
 * vmm/host/sandbox_filter.c. Asking libseccomp at every start cost ~0.3 ms of a ~2 ms start-up
 * (issue 17); now a start copies one program and writes its descriptor numbers in.
 *
 * The descriptors are not known here, so each is compiled as a stand-in number of its own
 * (SANDBOX_STAND_IN + role). libseccomp compares a descriptor argument as two 32-bit words: the
 * high word with 0 and the low word with the number, `jeq`. Before anything is written, every
 * program is checked: each instruction whose constant is a stand-in must be that `jeq`, reached
 * only with the low word of argument 0 in the accumulator, for a descriptor the shape has; an
 * equality test gives the same answer whatever the number, so the run time may put any real
 * descriptor there. A stand-in anywhere else (a syscall or ioctl number, a mask, an offset, a
 * return value) fails the build. Identical programs are written once.
 *
 * usage: gen_seccomp_filters OUTPUT.h
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/sandbox_policy.h"

/* Descriptor numbers no real run has, in the order the roles are opened (sandbox_shape.h), so
 * that libseccomp orders its comparisons as it would for real descriptors. */
#define SANDBOX_STAND_IN 0x5ecc0000u

/* The accumulator's possible contents at an instruction (bits), found by walking the program. */
enum acc_content {
	ACC_ARG0_LOW = 1, /* the low 32 bits of seccomp_data.args[0] */
	ACC_OTHER = 2,	  /* anything else: the start value, another field, a computed value */
};

#define ARG0_LOW_OFFSET offsetof(struct seccomp_data, args[0]) /* little-endian x86-64 */

struct program {
	struct sock_filter *insns;
	size_t len;
	uint16_t patch_insn[BPF_MAXINSNS];
	uint8_t patch_role[BPF_MAXINSNS];
	size_t patches;
};

static int fail(const char *what, int variant)
{
	fprintf(stderr, "gen_seccomp_filters: variant %d: %s\n", variant, what);
	return -1;
}

/* What an instruction leaves in the accumulator, given what it found there. */
static unsigned acc_after(const struct sock_filter *insn, unsigned before)
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

/* Walks the program once (classic BPF jumps only forward) and records each stand-in's places;
 * fails on a jump out of the program or a stand-in anywhere but a test of argument 0. */
static int find_stand_ins(const struct sandbox_shape *shape, struct program *p, int variant)
{
	unsigned *acc = calloc(p->len, sizeof *acc);
	if (!acc)
		return fail("out of memory", variant);
	acc[0] = ACC_OTHER;
	int ret = 0;
	p->patches = 0;
	for (size_t i = 0; !ret && i < p->len; i++) {
		const struct sock_filter *insn = &p->insns[i];
		unsigned role = insn->k - SANDBOX_STAND_IN;
		if (role < SANDBOX_FD_ROLES) { /* reached or not */
			if (insn->code != (BPF_JMP | BPF_JEQ | BPF_K) || acc[i] != ACC_ARG0_LOW ||
			    shape->fds[role] < 0)
				ret = fail("a stand-in descriptor number where it does not belong",
					   variant);
			p->patch_insn[p->patches] = (uint16_t)i;
			p->patch_role[p->patches++] = (uint8_t)role;
		}
		unsigned out = acc_after(insn, acc[i]);
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
		for (size_t t = 0; !ret && t < targets; t++) {
			if (next[t] >= p->len)
				ret = fail("a jump or fall-through past the end", variant);
			else
				acc[next[t]] |= out;
		}
	}
	free(acc);
	return ret;
}

static bool same_program(const struct program *a, const struct program *b)
{
	return a->len == b->len && a->patches == b->patches &&
	       !memcmp(a->insns, b->insns, a->len * sizeof *a->insns) &&
	       !memcmp(a->patch_insn, b->patch_insn, a->patches * sizeof *a->patch_insn) &&
	       !memcmp(a->patch_role, b->patch_role, a->patches);
}

static struct program programs[SANDBOX_VARIANTS];

static int write_header(FILE *out)
{
	char compiler[64];
	size_t first_insn[SANDBOX_VARIANTS], first_patch[SANDBOX_VARIANTS];
	int same_as[SANDBOX_VARIANTS];
	size_t max_len = 0, insns = 0, patches = 0;
	for (int i = 0; i < SANDBOX_VARIANTS; i++) {
		same_as[i] = i;
		for (int j = 0; j < i && same_as[i] == i; j++)
			if (same_as[j] == j && same_program(&programs[i], &programs[j]))
				same_as[i] = j;
		if (same_as[i] == i) {
			first_insn[i] = insns;
			first_patch[i] = patches;
			insns += programs[i].len;
			patches += programs[i].patches;
		}
		if (programs[i].len > max_len)
			max_len = programs[i].len;
	}
	fprintf(out,
		"/* generated by vmm/tools/gen_seccomp_filters.c from vmm/host/sandbox_policy.c: "
		"do not edit */\n");
	fprintf(out, "#define SANDBOX_FILTER_COMPILER \"%s\"\n",
		sandbox_policy_compiler(compiler, sizeof compiler));
	fprintf(out, "#define SANDBOX_FILTER_MAX_LEN %zu\n", max_len);
	fprintf(out, "static const struct sock_filter sandbox_filter_insns[%zu] = {\n", insns);
	for (int i = 0; i < SANDBOX_VARIANTS; i++)
		for (size_t k = 0; same_as[i] == i && k < programs[i].len; k++) {
			const struct sock_filter *f = &programs[i].insns[k];
			fprintf(out, "    {0x%02x, %u, %u, 0x%08x},\n", f->code, f->jt, f->jf,
				f->k);
		}
	fprintf(out, "};\n");
	fprintf(out, "static const struct sandbox_fd_patch sandbox_filter_patches[%zu] = {\n",
		patches);
	for (int i = 0; i < SANDBOX_VARIANTS; i++)
		for (size_t k = 0; same_as[i] == i && k < programs[i].patches; k++)
			fprintf(out, "    {.insn = %u, .role = %u},\n", programs[i].patch_insn[k],
				programs[i].patch_role[k]);
	fprintf(out, "};\n");
	fprintf(out, "static const struct sandbox_filter_program "
		     "sandbox_filter_programs[SANDBOX_VARIANTS] = {\n");
	for (int i = 0; i < SANDBOX_VARIANTS; i++) {
		int s = same_as[i];
		fprintf(out,
			"    [%d] = {.insn = %zu, .len = %zu, .patch = %zu, .patches = %zu},\n", i,
			first_insn[s], programs[s].len, first_patch[s], programs[s].patches);
	}
	fprintf(out, "};\n");
	return ferror(out) ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seccomp_filters OUTPUT.h\n");
		return EXIT_FAILURE;
	}
	for (int variant = 0; variant < SANDBOX_VARIANTS; variant++) {
		struct sandbox_shape shape =
		    sandbox_shape_made_up(variant, (int)SANDBOX_STAND_IN, 1);
		struct program *p = &programs[variant];
		int ret = sandbox_policy_compile(&shape, &p->insns, &p->len);
		if (ret)
			return fail(strerror(-ret), variant), EXIT_FAILURE;
		if (find_stand_ins(&shape, p, variant))
			return EXIT_FAILURE;
	}
	/* Written whole under a temporary name, then renamed: a failed run leaves no header that
	 * make could take for up to date. */
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	FILE *out = fopen(tmp, "w");
	int ret = out ? write_header(out) : -1;
	if (out && fclose(out))
		ret = -1;
	if (!ret && rename(tmp, argv[1]))
		ret = -1;
	if (ret) {
		fprintf(stderr, "gen_seccomp_filters: cannot write %s: %s\n", argv[1],
			strerror(errno));
		unlink(tmp);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
