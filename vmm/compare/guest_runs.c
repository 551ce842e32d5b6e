/* SPDX-License-Identifier: MIT */
/*
 * The guest side of `minivmm compare`: boots the built-in `bench` guest in this process, once
 * per workload, reads the TSC figures it prints, and accounts for its exits from the trace
 * records (exits that reached minivmm) and KVM's counters (exits KVM kept to itself).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/builtin_guests.h"
#include "compare/compare.h"
#include "util/median.h"
#include "trace/exit_stats.h"
#include "trace/vcpu_trace.h"
#include "machine/vm.h"

/* Reads "key=value" from an @result line; returns 0 if absent. */
static uint64_t result_field(const char *line, const char *key)
{
	char pattern[32];
	snprintf(pattern, sizeof pattern, " %s=", key);
	const char *p = strstr(line, pattern);
	return p ? strtoull(p + strlen(pattern), NULL, 0) : 0;
}

/* Collects per-op ns of each phase from the guest's output. */
static int parse_results(const struct compare_options *o, FILE *out, struct guest_result *r,
			 struct vmm_error *err)
{
	double first[COMPARE_MAX_REPEATS], second[COMPARE_MAX_REPEATS];
	unsigned n_first = 0, n_second = 0;
	bool done = false;
	char line[512];
	while (fgets(line, sizeof line, out)) {
		if (strncmp(line, "@done", 5) == 0)
			done = true;
		if (strncmp(line, "@result ", 8) != 0)
			continue;
		uint64_t tsc = result_field(line, "tsc");
		uint64_t ops = strstr(line, " phase=") ? result_field(line, "pages")
						       : result_field(line, "iters");
		if (!ops)
			continue;
		double ns = (double)tsc / o->tsc_ghz / (double)ops;
		if (strstr(line, " phase=second")) {
			if (n_second < COMPARE_MAX_REPEATS)
				second[n_second++] = ns;
		} else if (n_first < COMPARE_MAX_REPEATS) {
			first[n_first++] = ns;
		}
	}
	if (!done || n_first == 0)
		return vmm_error_set(err, -EPROTO, VMM_EXIT_INTERNAL,
				     "the bench guest gave no results (see its output above)");
	r->m = (struct measurement){.available = true};
	r->m.ns_per_op = median_with_spread(first, n_first, &r->m.spread_pct);
	if (n_second) {
		r->second = (struct measurement){.available = true};
		r->second.ns_per_op = median_with_spread(second, n_second, &r->second.spread_pct);
	}
	return 0;
}

/* Exits to the bench device per operation, and what minivmm spent on them. */
static void account_exits(struct vm *vm, uint64_t ops, struct exit_accounting *acc)
{
	const struct exit_stats *st = trace_session_stats(vm->trace);
	uint64_t bench_exits = 0, bench_ns = 0;
	for (unsigned i = 0; i < st->access_count; i++)
		if (strncmp(st->accesses[i].key, "bench", 5) == 0) {
			bench_exits += st->accesses[i].samples;
			bench_ns += st->accesses[i].sum_ns;
		}
	acc->user_exits_per_op = (double)bench_exits / (double)ops;
	/* Time outside KVM_RUN is known per record only as a total (next t_run - t_exit): give
	 * the bench device its share by its share of the records. */
	double share = st->records ? (double)bench_exits / (double)st->records : 0;
	acc->vmm_ns_per_op = (double)st->in_vmm_ns * share / (double)ops;
	(void)bench_ns;
	uint64_t all_exits;
	if (trace_session_counter_delta(vm->trace, 0, "exits", &all_exits) == 0 &&
	    all_exits >= st->records)
		acc->in_kernel_exits_per_op = (double)(all_exits - st->records) / (double)ops;
	else
		acc->in_kernel_exits_per_op = -1;
}

int guest_measure(const struct compare_options *o, const char *workload, uint64_t iters,
		  struct guest_result *out, struct vmm_error *err)
{
	const struct builtin_guest *bench = builtin_guest_find("bench");
	if (!bench)
		return vmm_error_set(err, -ENOENT, VMM_EXIT_INTERNAL, "no built-in bench guest");
	int out_fd = memfd_create("bench-output", MFD_CLOEXEC);
	if (out_fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES, "memfd_create: %s",
				     strerror(errno));
	char cmdline[160];
	snprintf(cmdline, sizeof cmdline, "workload=%s iters=%llu repeats=%u mib=%llu", workload,
		 (unsigned long long)iters, o->repeats, (unsigned long long)o->mem_mib);
	uint64_t ram = (64ull + o->mem_mib * o->repeats) << 20;
	struct vm_config cfg = {.kvm_device = o->kvm_device,
				.ram_size = ram < (3ull << 30) ? ram : 3ull << 30,
				.cmdline = cmdline,
				.image = bench->image,
				.image_size = bench->size,
				.image_name = "bench",
				.console_in_fd = -1,
				.console_out_fd = out_fd};
	cfg.trace.stats = true;
	static struct vm vm;
	int ret = vm_create(&vm, &cfg, err);
	ret = ret ?: vm_run(&vm, err);
	if (!ret && vm.stop.status != 0)
		ret =
		    vmm_error_set(err, -EIO, VMM_EXIT_INTERNAL,
				  "bench guest '%s' ended with status %d", cmdline, vm.stop.status);
	FILE *output = ret ? NULL : fdopen(dup(out_fd), "r");
	if (output) {
		rewind(output);
		ret = parse_results(o, output, out, err);
		fclose(output);
	}
	if (!ret) {
		uint64_t ops = iters * o->repeats;
		if (strcmp(workload, "mem") == 0)
			ops = (o->mem_mib << 20) / 4096 * o->repeats; /* first touches */
		account_exits(&vm, ops, &out->exits);
	}
	vm_destroy(&vm);
	close(out_fd);
	return ret;
}
