/* SPDX-License-Identifier: MIT */
#include "bench/flat_loops.h"

#include <string.h>

#include "minivmm/boot_abi.h"

static void emit(struct flat_loop *loop, const void *bytes, size_t len)
{
	if (loop->len + len <= sizeof loop->code) {
		memcpy(loop->code + loop->len, bytes, len);
		loop->len += len;
	}
}

static void emit_mov_ecx(struct flat_loop *loop, uint32_t n)
{
	uint8_t insn[5] = {0xb9}; /* mov ecx, imm32 */
	memcpy(insn + 1, &n, 4);
	emit(loop, insn, sizeof insn);
}

static void emit_exit_zero(struct flat_loop *loop)
{
	/* xor eax, eax; mov dx, MINIVMM_EXIT_PORT; out dx, eax */
	const uint8_t insn[] = {
	    0x31, 0xc0, 0x66, 0xba, MINIVMM_EXIT_PORT & 0xff, MINIVMM_EXIT_PORT >> 8, 0xef};
	emit(loop, insn, sizeof insn);
}

void flat_loop_pio(struct flat_loop *loop, uint16_t port, uint32_t n)
{
	loop->len = 0;
	emit_mov_ecx(loop, n);
	const uint8_t body[] = {0x66, 0xba, port & 0xff, port >> 8, /* mov dx, port */
				0xef,				    /* 1: out dx, eax */
				0xff, 0xc9,			    /* dec ecx */
				0x75, 0xfb};			    /* jnz 1b (-5) */
	emit(loop, body, sizeof body);
	emit_exit_zero(loop);
}

void flat_loop_mmio(struct flat_loop *loop, uint64_t gpa, uint32_t n)
{
	loop->len = 0;
	emit_mov_ecx(loop, n);
	uint8_t mov_rax[10] = {0x48, 0xb8}; /* mov rax, imm64 */
	memcpy(mov_rax + 2, &gpa, 8);
	emit(loop, mov_rax, sizeof mov_rax);
	const uint8_t body[] = {0x89, 0x08,  /* 1: mov [rax], ecx */
				0xff, 0xc9,  /* dec ecx */
				0x75, 0xfa}; /* jnz 1b (-6) */
	emit(loop, body, sizeof body);
	emit_exit_zero(loop);
}
