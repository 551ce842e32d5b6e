/* SPDX-License-Identifier: MIT */
/* A position-independent executable (ELF type ET_DYN) that minivmm must refuse as a guest:
 * built by tests/CMakeLists.txt, instead of borrowing the host's /bin/true, which is not a PIE
 * everywhere, nor everywhere at all. */
	.globl _start
_start:	hlt
	.section .note.GNU-stack, "", @progbits
