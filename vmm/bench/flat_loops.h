/* SPDX-License-Identifier: MIT */
/*
 * Tiny hand-assembled 64-bit ring-0 guests for exit round-trip measurements: a loop of N device
 * accesses, then a write of 0 to minivmm's exit port. The same bytes run under minivmm and
 * under the bare KVM loop (kvm_floor.c), so their ratio is the VMM's own overhead.
 */
#ifndef MINIVMM_BENCH_FLAT_LOOPS_H
#define MINIVMM_BENCH_FLAT_LOOPS_H

#include <stddef.h>
#include <stdint.h>

#define FLAT_LOOP_MAX_BYTES 64
#define FLAT_LOOP_LOAD_ADDR 0x100000ull

struct flat_loop {
	uint8_t code[FLAT_LOOP_MAX_BYTES];
	size_t len;
};

/* mov ecx, n; mov dx, port; 1: out dx, eax (4 bytes, as doorbells match); dec ecx; jnz 1b; exit(0)
 */
void flat_loop_pio(struct flat_loop *loop, uint16_t port, uint32_t n);

/* mov ecx, n; mov rax, gpa; 1: mov [rax], ecx; dec ecx; jnz 1b; exit(0) */
void flat_loop_mmio(struct flat_loop *loop, uint64_t gpa, uint32_t n);

#endif
