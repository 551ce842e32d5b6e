/* SPDX-License-Identifier: MIT */
/*
 * `minivmm run --stats`: exit records summed up in the layout of `perf kvm stat report`:
 * per exit reason and per device access, samples, their share, the share of handling time, and
 * min/max/average handling time; then where the vCPU's wall time went.
 */
#ifndef MINIVMM_TRACE_EXIT_STATS_H
#define MINIVMM_TRACE_EXIT_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/exit_record.h"

#define EXIT_STATS_MAX_REASONS	16
#define EXIT_STATS_MAX_ACCESSES 64
#define EXIT_STATS_MAX_VCPUS	8

/* One vCPU's share (--cpus N): its samples and where its wall time went. */
struct vcpu_stat {
	uint64_t records;
	uint64_t in_run_ns, in_vmm_ns;
};

struct stat_bucket {
	char key[48];
	uint64_t samples;
	uint64_t sum_ns, min_ns, max_ns;
	double sum_sq_ns; /* for the spread of the average */
};

/* What a bucket counts, compared field by field on every record (its text key is made once,
 * when the bucket is created: no formatting per exit). */
struct stat_key {
	uint32_t reason; /* KVM_EXIT_*; UINT32_MAX for "(others)", the full table's last bucket */
	uint32_t write;
	uint64_t addr;
	const char *device;
};

struct exit_stats {
	struct stat_bucket reasons[EXIT_STATS_MAX_REASONS];
	struct stat_key reason_keys[EXIT_STATS_MAX_REASONS];
	unsigned reason_count;
	struct stat_bucket accesses[EXIT_STATS_MAX_ACCESSES];
	struct stat_key access_keys[EXIT_STATS_MAX_ACCESSES];
	unsigned access_count;
	uint64_t records;
	uint64_t in_run_ns; /* sum of t_exit - t_run: guest plus KVM */
	uint64_t in_vmm_ns; /* sum of next t_run - t_exit: minivmm between KVM_RUN calls */
	uint64_t in_kernel_exits;
	bool in_kernel_known;
	struct vcpu_stat vcpus[EXIT_STATS_MAX_VCPUS];
	unsigned vcpu_seen; /* highest vCPU index with a record, plus one */
};

void exit_stats_init(struct exit_stats *stats);

/* next_t_run: when the vCPU re-entered the guest after this exit (t_done for the last one). */
void exit_stats_add(struct exit_stats *stats, const struct exit_record *rec, uint64_t next_t_run);

void exit_stats_print(FILE *out, const struct exit_stats *stats);

#endif
