/* SPDX-License-Identifier: MIT */
/*
 * The 32 exception entry points (vectors 0-31, Intel SDM vol. 3A 6.3.1, table 6-1). Each stub is
 * EXCEPTION_STUB_SIZE (16) bytes apart so idt.S computes each gate from the first stub's. The CPU pushes SS, RSP, RFLAGS, CS, RIP (and, for some vectors, an error code) on a
 * 16-byte aligned stack (vol. 3A 6.14.2); the stub pushes a 0 in place of a missing error code
 * and the vector number, so the common path always sees a struct exception_frame (exceptions.c).
 */
#include "kernel_layout.h"

#define EXCEPTION_STUBS_SIZE (EXCEPTION_VECTORS * EXCEPTION_STUB_SIZE) /* 512 bytes */

	.text
	/* Aligned to its own size (a power of two, or .balign fails), the block lies inside one
	 * 64 KiB-aligned range: every stub address has the same bits 63:16, so idt.S makes the
	 * gates by adding the stride to offset 15:0 of the first stub's gate. The padding before it
	 * is never executed. */
	.balign EXCEPTION_STUBS_SIZE
	.global exception_stubs
exception_stubs:
	.irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	/* Pads to the stub's slot; assembly fails if the previous stub overran its slot. */
	.org exception_stubs + \vector * EXCEPTION_STUB_SIZE, 0xf4 /* hlt */
	/* Vectors that push an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX. */
	.if \vector != 8 && (\vector < 10 || \vector > 14) && \vector != 17 && \vector != 21 && \vector != 29 && \vector != 30
	pushq $0
	.endif
	pushq $\vector
	{disp32} jmp exception_common /* fixed 5-byte encoding: the stubs' size must not vary */
	.endr
	/* And the last stub must end inside the block. */
	.org exception_stubs + EXCEPTION_STUBS_SIZE, 0xf4

	.global exception_common
exception_common:
	/* Every exception ends the run, so nothing is saved for a return: hand the frame to C on an
	 * aligned stack, with DF clear as the C ABI wants (the gate keeps the interrupted code's). */
	cld
	mov %rsp, %rdi
	and $-16, %rsp
	call exception_report
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
