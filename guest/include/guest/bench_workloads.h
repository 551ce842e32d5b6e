/* SPDX-License-Identifier: MIT */
/*
 * The ring-3 workloads the bench guest times for `minivmm compare` and the shell's `bench`
 * command shows interactively: one table, one way to prepare and time each, so both programs
 * measure exactly the same loops (guest/user/bench_workloads.c).
 *
 * Devices: the bench device's registers (include/minivmm/boot_abi.h, MINIVMM_BENCH_*).
 */
#ifndef GUEST_BENCH_WORKLOADS_H
#define GUEST_BENCH_WORKLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "guest/x86.h"

#define BENCH_PAGE_SIZE 4096u

struct bench_workload {
	const char *name;
	int64_t (*prepare)(void);	  /* untimed; NULL: nothing to ask; negative: -GUEST_E* */
	uint64_t (*loop)(uint64_t iters); /* iters operations; returns a checksum (or 0) */
	int has_checksum;		  /* the loop's result means something */
	/* A count that takes a few tens of milliseconds on the nested development host (ring 0
	 * emulated, a userspace exit ~25 us): enough for a stable figure, quick to wait for. */
	uint64_t quick_iters;
	const char *path; /* plain words: where each operation goes (under 40 characters) */
};

extern const struct bench_workload bench_workloads[];
extern const size_t bench_workload_count;

/* The workload called name, or NULL. ("mem" is not in the table: see bench_fresh_ram().) */
const struct bench_workload *bench_workload_find(const char *name);

/* TSC reads ordered against the loop: LFENCE waits for earlier instructions to complete before
 * RDTSC executes, and the one after keeps later ones from starting early (Intel SDM vol. 2B,
 * RDTSC). RDTSC works in ring 3 because the kernel leaves CR4.TSD clear. */
static inline uint64_t bench_tsc_now(void)
{
	__asm__ volatile("lfence" ::: "memory");
	uint64_t t = rdtsc();
	__asm__ volatile("lfence" ::: "memory");
	return t;
}

/* Runs w's loop once; returns the TSC cycles it took and stores its checksum in *check. Call
 * w->prepare (if any) first. */
uint64_t bench_workload_time(const struct bench_workload *w, uint64_t iters, uint64_t *check);

/* --- mem: the cost of touching a page for the first and the second time ------------------- */

/* Returns bytes of RAM that no earlier call handed out, opened to ring 3 (SYS_MEM_MAP always
 * opens from the same start, so a second caller would get pages already touched), or a
 * negative number when RAM has too little left. */
int64_t bench_fresh_ram(uint64_t bytes);

/* Writes one byte to each of pages 4 KiB pages from base; returns the TSC cycles it took. */
uint64_t bench_touch_pages(volatile uint8_t *base, uint64_t pages);

#define BENCH_MEM_FIRST_PATH  "KVM: the host allocates the page"
#define BENCH_MEM_SECOND_PATH "nowhere: the page exists now"

#endif
