/* SPDX-License-Identifier: MIT */
/*
 * KVM's binary statistics (api.rst 4.133, KVM_GET_STATS_FD): counters KVM keeps per VM and per
 * vCPU, among them the exits it handled in the kernel that never reach minivmm. Counters are
 * found by name in the descriptors, never at fixed offsets, since each kernel has its own set.
 */
#ifndef MINIVMM_TRACE_KVM_STATS_H
#define MINIVMM_TRACE_KVM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVM_STATS_NAME_MAX 48

struct kvm_stat_counter {
	char name[KVM_STATS_NAME_MAX];
	uint64_t offset; /* byte offset of its first value from the data block */
	uint32_t flags;	 /* KVM_STATS_TYPE_*, KVM_STATS_UNIT_* */
};

struct kvm_stats {
	int fd;		      /* -1 when this KVM has no stats fd */
	uint64_t data_offset; /* where the values start in the fd */
	struct kvm_stat_counter *counters;
	size_t count;
};

/* Opens the stats of a VM or vCPU (ioctl on its fd). Returns 0, or -errno (then stats->fd is
 * -1 and every read fails softly). */
int kvm_stats_open(struct kvm_stats *stats, int vm_or_vcpu_fd);
void kvm_stats_close(struct kvm_stats *stats);

/* Index of the counter called name, or -1. */
int kvm_stats_find(const struct kvm_stats *stats, const char *name);

/* Reads one counter's first value (one pread). Returns 0 or -errno. */
int kvm_stats_read(const struct kvm_stats *stats, int index, uint64_t *value);

/* True for cumulative counters (KVM_STATS_TYPE_CUMULATIVE) whose unit is none: event counts. */
bool kvm_stats_is_event_count(const struct kvm_stat_counter *counter);

#endif
