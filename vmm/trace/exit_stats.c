/* SPDX-License-Identifier: MIT */
#include "trace/exit_stats.h"

#include <linux/kvm.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "trace/trace_text.h"

void exit_stats_init(struct exit_stats *stats)
{
	memset(stats, 0, sizeof *stats);
	stats->in_kernel_known = true;
}

static bool same_key(const struct stat_key *a, const struct stat_key *b)
{
	return a->reason == b->reason && a->write == b->write && a->addr == b->addr &&
	       a->device == b->device;
}

/* The bucket for key, created (with its text, made here only) if new; the last bucket of a
 * full table collects whatever does not fit, as "(others)". */
static struct stat_bucket *find_bucket(struct stat_bucket *buckets, struct stat_key *keys,
				       unsigned *count, unsigned max, const struct stat_key *key,
				       const struct exit_record *rec)
{
	for (unsigned i = 0; i < *count; i++)
		if (same_key(&keys[i], key) || keys[i].reason == UINT32_MAX)
			return &buckets[i];
	unsigned i = (*count)++;
	struct stat_bucket *b = &buckets[i];
	b->min_ns = UINT64_MAX;
	keys[i] = *key;
	if (i == max - 1) {
		keys[i].reason = UINT32_MAX;
		snprintf(b->key, sizeof b->key, "(others)");
	} else if (!rec) {
		snprintf(b->key, sizeof b->key, "%s", exit_reason_name(key->reason));
	} else {
		const char *dir = key->reason == KVM_EXIT_IO ? (key->write ? "out" : "in")
							     : (key->write ? "write" : "read");
		snprintf(b->key, sizeof b->key, "%.16s %s 0x%llx",
			 rec->device ? rec->device : "unclaimed", dir,
			 (unsigned long long)key->addr);
	}
	return b;
}

static void bucket_count(struct stat_bucket *b, uint64_t ns)
{
	b->samples++;
	b->sum_ns += ns;
	b->sum_sq_ns += (double)ns * (double)ns;
	if (ns < b->min_ns)
		b->min_ns = ns;
	if (ns > b->max_ns)
		b->max_ns = ns;
}

void exit_stats_add(struct exit_stats *stats, const struct exit_record *rec, uint64_t next_t_run)
{
	uint64_t handling = rec->t_done - rec->t_exit;
	stats->records++;
	stats->in_run_ns += rec->t_exit - rec->t_run;
	stats->in_vmm_ns += next_t_run - rec->t_exit;
	if (rec->vcpu < EXIT_STATS_MAX_VCPUS) {
		struct vcpu_stat *v = &stats->vcpus[rec->vcpu];
		v->records++;
		v->in_run_ns += rec->t_exit - rec->t_run;
		v->in_vmm_ns += next_t_run - rec->t_exit;
		if (rec->vcpu >= stats->vcpu_seen)
			stats->vcpu_seen = rec->vcpu + 1u;
	}
	if (rec->flags & EXIT_RECORD_IN_KERNEL_UNKNOWN)
		stats->in_kernel_known = false;
	else if (!(rec->flags & EXIT_RECORD_IN_KERNEL_LATER))
		stats->in_kernel_exits += rec->in_kernel_exits;

	const struct stat_key reason = {.reason = rec->kvm_reason};
	bucket_count(find_bucket(stats->reasons, stats->reason_keys, &stats->reason_count,
				 EXIT_STATS_MAX_REASONS, &reason, NULL),
		     handling);
	bool access = rec->kvm_reason == KVM_EXIT_IO || rec->kvm_reason == KVM_EXIT_MMIO;
	const struct stat_key key = {
	    .reason = rec->kvm_reason,
	    .write = access && (rec->flags & EXIT_RECORD_WRITE),
	    .addr = access ? rec->addr : 0,
	    .device = access ? rec->device : NULL,
	};
	bucket_count(find_bucket(stats->accesses, stats->access_keys, &stats->access_count,
				 EXIT_STATS_MAX_ACCESSES, &key, access ? rec : NULL),
		     handling);
}

static void print_table(FILE *out, const char *title, const struct stat_bucket *buckets,
			unsigned count, uint64_t total_samples)
{
	uint64_t total_ns = 0;
	for (unsigned i = 0; i < count; i++)
		total_ns += buckets[i].sum_ns;
	fprintf(out, "%26s %9s %9s %8s %10s %10s %10s\n", title, "Samples", "Samples%", "Time%",
		"Min Time", "Max Time", "Avg time");
	/* Most frequent first, as perf kvm stat sorts by samples. */
	bool printed[EXIT_STATS_MAX_ACCESSES] = {false};
	for (unsigned n = 0; n < count; n++) {
		unsigned best = 0;
		bool found = false;
		for (unsigned i = 0; i < count; i++)
			if (!printed[i] && (!found || buckets[i].samples > buckets[best].samples)) {
				best = i;
				found = true;
			}
		printed[best] = true;
		const struct stat_bucket *b = &buckets[best];
		double avg = (double)b->sum_ns / (double)b->samples;
		double var = b->sum_sq_ns / (double)b->samples - avg * avg;
		double spread = b->samples > 1 && avg > 0 ? 100.0 * sqrt(var > 0 ? var : 0) /
								sqrt((double)b->samples) / avg
							  : 0;
		char min[16], max[16], mean[16];
		format_duration(min, sizeof min, b->min_ns);
		format_duration(max, sizeof max, b->max_ns);
		format_duration(mean, sizeof mean, (uint64_t)avg);
		fprintf(out, "%26s %9llu %8.2f%% %7.2f%% %10s %10s %10s ( +- %5.2f%% )\n", b->key,
			(unsigned long long)b->samples,
			100.0 * (double)b->samples / (double)total_samples,
			total_ns ? 100.0 * (double)b->sum_ns / (double)total_ns : 0.0, min, max,
			mean, spread);
	}
	char total[16];
	format_duration(total, sizeof total, total_ns);
	fprintf(out, "\nTotal Samples:%llu, Total events handled time:%s.\n\n",
		(unsigned long long)total_samples, total);
}

/* "T = inside KVM_RUN (guest + KVM) X (a%) + in minivmm (root, userspace) Y (b%)" */
static void print_time_split(FILE *out, uint64_t in_run_ns, uint64_t in_vmm_ns)
{
	uint64_t wall = in_run_ns + in_vmm_ns;
	char in_run[16], in_vmm[16], all[16];
	format_duration(in_run, sizeof in_run, in_run_ns);
	format_duration(in_vmm, sizeof in_vmm, in_vmm_ns);
	format_duration(all, sizeof all, wall);
	fprintf(out,
		"%s = inside KVM_RUN (guest + KVM) %s (%.1f%%) + in minivmm (root, userspace) %s "
		"(%.1f%%)\n",
		all, in_run, wall ? 100.0 * (double)in_run_ns / (double)wall : 0.0, in_vmm,
		wall ? 100.0 * (double)in_vmm_ns / (double)wall : 0.0);
}

/* One line per vCPU, printed only when more than one ran (a single vCPU's output is unchanged):
 * its samples and the split of its wall time, as the all-vCPU "vCPU time" line. */
static void print_per_vcpu(FILE *out, const struct exit_stats *stats)
{
	if (stats->vcpu_seen < 2)
		return;
	for (unsigned i = 0; i < stats->vcpu_seen; i++) {
		const struct vcpu_stat *v = &stats->vcpus[i];
		fprintf(out, "vCPU %u: samples %llu (%.2f%%), time ", i,
			(unsigned long long)v->records,
			100.0 * (double)v->records / (double)stats->records);
		print_time_split(out, v->in_run_ns, v->in_vmm_ns);
	}
}

void exit_stats_print(FILE *out, const struct exit_stats *stats)
{
	fprintf(out, "\nAnalyze events for all VMs, all VCPUs (exits that reached minivmm; "
		     "time = minivmm's handling):\n\n");
	if (stats->records == 0) {
		fprintf(out, "no exits recorded\n");
		return;
	}
	print_table(out, "VM-EXIT", stats->reasons, stats->reason_count, stats->records);
	print_table(out, "DEVICE ACCESS", stats->accesses, stats->access_count, stats->records);
	fprintf(out, "vCPU time: ");
	print_time_split(out, stats->in_run_ns, stats->in_vmm_ns);
	print_per_vcpu(out, stats);
	if (stats->in_kernel_known)
		fprintf(out, "exits KVM handled in the kernel between them: %llu\n",
			(unsigned long long)stats->in_kernel_exits);
}
