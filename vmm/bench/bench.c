/* SPDX-License-Identifier: MIT */
/*
 * minivmm bench: each figure is the median of several runs, with its spread, and a ratio to a
 * reference measured in the same run, because on shared (and nested) hosts only ratios taken
 * together mean anything. Runs of different variants are interleaved so that drift in the
 * host's speed hits them all alike.
 */
#include "bench/bench.h"

#include "api/api_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/churn.h"
#include "bench/kvm_vm_floor.h"
#include "bench/restore_time.h"
#include "bench/flat_loops.h"
#include "bench/kvm_floor.h"
#include "cli/options.h"
#include "util/median.h"
#include "util/tsc_calibrate.h"
#include "minivmm/boot_abi.h"
#include "trace/vcpu_trace.h"
#include "machine/vm.h"

enum variant { FLOOR, PLAIN, STATS, TRACE, TRACE_EXACT, API, VARIANT_COUNT };
static const char *const variant_names[VARIANT_COUNT] = {"bare KVM loop (floor)",
							 "minivmm",
							 "minivmm --stats",
							 "minivmm --trace=/dev/null",
							 "  ... --in-kernel-exits=every",
							 "minivmm --api-sock (no client)"};

struct bench_case {
	const char *key; /* JSON key */
	const char *title;
	uint16_t port;	  /* PIO loop port, or 0 for an MMIO loop */
	uint64_t gpa;	  /* MMIO loop address */
	bool doorbell;	  /* an ioeventfd the floor must also wire up */
	bool with_traces; /* also measure the trace variants */
};

static const struct bench_case cases[] = {
    {"pio_userspace", "PIO write, exit to userspace", MINIVMM_BENCH_PIO_PORT, 0, false, true},
    {"mmio_userspace", "MMIO write, exit to userspace", 0, MINIVMM_BENCH_MMIO_GPA, false, false},
    {"pio_ioeventfd", "PIO doorbell, ioeventfd (in-kernel)", MINIVMM_BENCH_PIO_DOORBELL_PORT, 0,
     true, false},
};

/* VM churn, minivmm beside the bare-KVM floor (bench/kvm_vm_floor.h), with and without the
 * irqchip, with KVM's teardown overlapped on reaper threads (host/fd_reaper.h) or each VM closed
 * before the next starts. The first is the headline figure. */
struct churn_variant {
	const char *title;
	const char *key; /* JSON key */
	bool floor, no_irqchip, overlap;
};

static const struct churn_variant churn_variants[] = {
    {"minivmm (irqchip and PIT)", "vms_per_second", false, false, true},
    {"minivmm --no-irqchip", "vms_per_second_no_irqchip", false, true, true},
    {"minivmm, closed one by one", "vms_per_second_serial", false, false, false},
    {"minivmm --no-irqchip, closed one by one", "vms_per_second_no_irqchip_serial", false, true,
     false},
    {"bare KVM (irqchip and PIT)", "vms_per_second_floor", true, false, true},
    {"bare KVM, no irqchip", "vms_per_second_floor_no_irqchip", true, true, true},
    {"bare KVM, closed one by one", "vms_per_second_floor_serial", true, false, false},
    {"bare KVM, no irqchip, closed one by one", "vms_per_second_floor_no_irqchip_serial", true,
     true, false},
};
#define CHURN_VARIANTS (sizeof churn_variants / sizeof churn_variants[0])

struct series {
	double ns[BENCH_MAX_REPEATS];
	/* CPU time of the thread that ran the vCPU, per exit: what an exit costs that thread,
	 * without the time it waited for a CPU, so it holds still on a busy host where the wall
	 * clock does not (one with other load: spreads of 40-100 %). Churn: the process's CPU
	 * ms per VM instead (run_churn). */
	double cpu[BENCH_MAX_REPEATS];
	unsigned n;
};

static double median(const struct series *s, double *spread_pct)
{
	double sorted[BENCH_MAX_REPEATS];
	memcpy(sorted, s->ns, s->n * sizeof *sorted);
	return median_with_spread(sorted, s->n, spread_pct);
}

static double median_cpu(const struct series *s, double *spread_pct)
{
	double sorted[BENCH_MAX_REPEATS];
	memcpy(sorted, s->cpu, s->n * sizeof *sorted);
	return median_with_spread(sorted, s->n, spread_pct);
}

static uint64_t cpu_ns(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t thread_cpu_ns(void)
{
	return cpu_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* One churn run: VMs per second, and the CPU time the whole process (vCPU, device and reaper
 * threads) spent per VM in ms. KVM's work in kernel threads (SRCU callbacks) is not in it. */
static int run_churn(const struct bench_options *o, const struct churn_variant *v, struct series *s,
		     struct vmm_error *err)
{
	uint64_t cpu0 = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
	int ret = v->floor ? kvm_churn_floor(o->kvm_device, o->churn, v->no_irqchip, v->overlap,
					     &s->ns[s->n], err)
			   : bench_churn(o->kvm_device, o->churn, v->no_irqchip, v->overlap,
					 &s->ns[s->n], err);
	s->cpu[s->n++] = (double)(cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / 1e6 / o->churn;
	return ret;
}

static void build_loop(const struct bench_case *c, uint32_t n, struct flat_loop *loop)
{
	if (c->port)
		flat_loop_pio(loop, c->port, n);
	else
		flat_loop_mmio(loop, c->gpa, n);
}

/* One run under minivmm proper, in this process, with its console on /dev/null. */
static int run_minivmm(const struct bench_options *o, const struct flat_loop *loop, enum variant v,
		       double *ns_per_op, double *cpu_per_op, struct vmm_error *err)
{
	static struct vm vm;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct vm_config cfg = {.kvm_device = o->kvm_device,
				.ram_size = 4ull << 20,
				.image = loop->code,
				.image_size = loop->len,
				.image_name = "bench loop",
				.format = GUEST_FORMAT_FLAT,
				.load_addr = FLAT_LOOP_LOAD_ADDR,
				.console_in_fd = -1,
				.console_out_fd = devnull};
	cfg.trace.stats = v == STATS;
	cfg.trace.text = v == TRACE || v == TRACE_EXACT;
	cfg.trace.text_path = cfg.trace.text ? "/dev/null" : NULL;
	cfg.trace.in_kernel_every = v == TRACE_EXACT;
	cfg.trace.live = v == API;
	/* --api-sock: the socket and its thread, which keeps the live summary; no client. */
	struct api_server *api = NULL;
	char sock[64];
	snprintf(sock, sizeof sock, "/tmp/minivmm-bench-%d.sock", (int)getpid());
	int ret = v == API ? api_server_open(&api, sock, false, err) : 0;
	uint64_t start = 0;
	ret = ret ?: vm_create(&vm, &cfg, err);
	ret = ret ?: (api ? api_server_start(api, &vm, err) : 0);
	if (!ret) {
		start = monotonic_ns();
		ret = vm_run(&vm, err);
	}
	api_server_finish(api);
	uint64_t elapsed = monotonic_ns() - start;
	if (!ret && vm.stop.status != 0)
		ret = vmm_error_set(err, -EIO, VMM_EXIT_INTERNAL,
				    "bench guest ended with status %d", vm.stop.status);
	uint64_t cpu = 0;
	for (unsigned i = 0; i < vm.vcpu_count; i++)
		cpu += vm.vcpus[i].cpu_ns;
	vm_destroy(&vm);
	close(devnull);
	*ns_per_op = (double)elapsed / o->iterations;
	*cpu_per_op = (double)cpu / o->iterations;
	return ret;
}

static int run_variant(const struct bench_options *o, const struct bench_case *c, enum variant v,
		       double *ns_per_op, double *cpu_per_op, struct vmm_error *err)
{
	struct flat_loop loop;
	build_loop(c, o->iterations, &loop);
	if (v != FLOOR)
		return run_minivmm(o, &loop, v, ns_per_op, cpu_per_op, err);
	uint64_t cpu0 = thread_cpu_ns(); /* the floor's vCPU runs on this thread */
	struct kvm_floor_options fo = {.kvm_device = o->kvm_device,
				       .ioeventfd_port = c->doorbell ? c->port : 0};
	uint64_t elapsed, exits;
	int ret = kvm_floor_run(&fo, &loop, &elapsed, &exits, err);
	*ns_per_op = (double)elapsed / o->iterations;
	*cpu_per_op = (double)(thread_cpu_ns() - cpu0) / o->iterations;
	return ret;
}

/* The cost of a feature as the median of per-repeat ratios: each run of the variant against the
 * plain run of the same repeat, taken moments apart. Drift in the host's speed (other load, the
 * outer hypervisor) then cancels within each pair instead of widening both medians. In percent,
 * with the spread of the ratios in percentage points. */
static double paired_overhead(const struct series *variant, const struct series *plain, bool cpu,
			      double *spread_points)
{
	double ratios[BENCH_MAX_REPEATS];
	unsigned n = variant->n < plain->n ? variant->n : plain->n;
	for (unsigned r = 0; r < n; r++) {
		const double *v = cpu ? variant->cpu : variant->ns,
			     *p = cpu ? plain->cpu : plain->ns;
		ratios[r] = p[r] > 0 ? v[r] / p[r] : 1;
	}
	double spread_pct, m = median_with_spread(ratios, n, &spread_pct);
	*spread_points = spread_pct * m;
	return 100 * (m - 1);
}

/* Each overhead twice: on the wall clock (the round trip) and on the vCPU thread's CPU time (the
 * same without the waits for a CPU, which on a loaded host swing the wall clock by tens of %). */
static void report_overheads(struct series *results, FILE *json)
{
	static const struct {
		enum variant v;
		const char *label, *key, *target;
	} rows[] = {
	    {API, "--api-sock (no client)", "api_sock", "< 2 %"},
	    {STATS, "--stats", "stats", "< 3 %"},
	    {TRACE, "--trace=/dev/null", "trace", "< 3 %"},
	    {TRACE_EXACT, "--trace --in-kernel-exits=every", "trace_exact", ""},
	};
	printf("  overhead vs plain minivmm (median of per-repeat ratios, +- spread in points):\n");
	printf("  %-36s %16s %20s %8s\n", "", "wall clock", "vCPU thread CPU", "target");
	for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
		double wall_spread, cpu_spread;
		double wall =
		    paired_overhead(&results[rows[k].v], &results[PLAIN], false, &wall_spread);
		double cpu =
		    paired_overhead(&results[rows[k].v], &results[PLAIN], true, &cpu_spread);
		printf("  %-36s %+7.1f%% +-%5.1f %+10.1f%% +-%5.1f %8s\n", rows[k].label, wall,
		       wall_spread, cpu, cpu_spread, rows[k].target);
		if (json)
			fprintf(
			    json,
			    ",\n  \"%s_overhead_pct\": %.2f,\n  \"%s_overhead_spread\": %.2f"
			    ",\n  \"%s_cpu_overhead_pct\": %.2f,\n  \"%s_cpu_overhead_spread\": "
			    "%.2f",
			    rows[k].key, wall, rows[k].key, wall_spread, rows[k].key, cpu,
			    rows[k].key, cpu_spread);
	}
}

static void report(const struct bench_options *o, struct series results[][VARIANT_COUNT],
		   const struct series churn[CHURN_VARIANTS], const struct series restore[2],
		   FILE *json)
{
	printf("\n%-40s %12s %9s %10s %12s %9s\n", "exit round trip (ring-0 loop)", "ns/exit",
	       "spread", "vs floor", "vCPU CPU ns", "spread");
	if (json)
		fprintf(json, "{\n  \"iterations\": %u,\n  \"repeats\": %u", o->iterations,
			o->repeats);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double spread, floor_spread, plain_spread = 0, plain = 0;
		double floor = median(&results[i][FLOOR], &floor_spread);
		printf("%s\n", cases[i].title);
		for (int v = 0; v < VARIANT_COUNT; v++) {
			if (!results[i][v].n)
				continue;
			double m = median(&results[i][v], &spread), cpu_spread;
			double cpu = median_cpu(&results[i][v], &cpu_spread);
			if (v == PLAIN)
				plain = m, plain_spread = spread;
			printf("  %-38s %12.0f %8.1f%% %9.2fx %12.0f %8.1f%%\n", variant_names[v],
			       m, spread, m / floor, cpu, cpu_spread);
		}
		if (json)
			fprintf(json,
				",\n  \"%s\": {\"ns\": %.1f, \"spread_pct\": %.1f, "
				"\"floor_ns\": %.1f, \"floor_spread_pct\": %.1f, "
				"\"ratio_to_floor\": %.3f}",
				cases[i].key, plain, plain_spread, floor, floor_spread,
				plain / floor);
		if (cases[i].with_traces)
			report_overheads(results[i], json);
	}
	if (churn[0].n) {
		printf("\nVM churn (create, boot, destroy; %u VMs per run; CPU: the process's, per "
		       "VM)\n",
		       o->churn);
		for (size_t i = 0; i < CHURN_VARIANTS; i++) {
			double spread, cpu_spread, m = median(&churn[i], &spread);
			double cpu = median_cpu(&churn[i], &cpu_spread);
			printf("  %-40s %7.0f VMs/s %7.1f%% %8.2f ms CPU\n",
			       churn_variants[i].title, m, spread, cpu);
			if (json)
				fprintf(json,
					",\n  \"%s\": %.1f,\n  \"%s_spread_pct\": %.1f"
					",\n  \"%s_cpu_ms\": %.3f",
					churn_variants[i].key, m, churn_variants[i].key, spread,
					churn_variants[i].key, cpu);
		}
	}
	if (restore[0].n) {
		double boot_spread, restore_spread;
		double boot = median(&restore[0], &boot_spread) / 1e6;
		double back = median(&restore[1], &restore_spread) / 1e6;
		printf("\nTo the first guest instruction, 64 MiB guest (docs/snapshot.md)\n");
		printf("  %-38s %9.3f ms %8.1f%%\n", "boot (vm_create + KVM_RUN)", boot,
		       boot_spread);
		printf("  %-38s %9.3f ms %8.1f%%  (target <= 2 ms)\n",
		       "restore (open, check, map, set state)", back, restore_spread);
		if (json)
			fprintf(json,
				",\n  \"boot_to_first_instruction_ms\": %.3f"
				",\n  \"restore_to_first_instruction_ms\": %.3f"
				",\n  \"restore_to_first_instruction_spread_pct\": %.1f",
				boot, back, restore_spread);
	}
	if (json)
		fprintf(json, ",\n  \"tsc_ghz\": %.4f\n}\n", tsc_calibrate_ghz());
}

int bench_command(int argc, char **argv, struct vmm_error *err)
{
	struct bench_options o;
	int ret = bench_parse_options(argc, argv, &o, err);
	if (ret == CLI_HELP) {
		bench_usage(stdout);
		return 0;
	}
	if (ret)
		return ret;
	if (o.boot_floor)
		return kvm_boot_floor(o.kvm_device, err);
	static struct series results[sizeof cases / sizeof cases[0]][VARIANT_COUNT];
	memset(results, 0, sizeof results);
	printf("minivmm bench: %u repeats of %u exits per figure (medians; spread = half the "
	       "range of the middle runs)\n",
	       o.repeats, o.iterations);
	bool progress = isatty(STDERR_FILENO);
	for (unsigned r = 0; r < o.repeats; r++) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			/* Every other repeat in reverse order: no variant always follows the
			 * same one (a VM's teardown goes on in the kernel after it). */
			for (int k = 0; k < VARIANT_COUNT; k++) {
				int v = r % 2 ? VARIANT_COUNT - 1 - k : k;
				if (v > PLAIN && !cases[i].with_traces)
					continue;
				double ns, cpu = 0;
				ret = run_variant(&o, &cases[i], (enum variant)v, &ns, &cpu, err);
				if (ret)
					return vmm_error_prefix(err, ret, "bench %s", cases[i].key);
				struct series *s = &results[i][v];
				s->cpu[s->n] = cpu;
				s->ns[s->n++] = ns;
			}
		}
		if (progress)
			fprintf(stderr, "\rrun %u/%u done", r + 1, o.repeats);
	}
	if (progress)
		fprintf(stderr, "\n");
	FILE *json = NULL;
	if (o.json_path && !(json = fopen(o.json_path, "w")))
		return vmm_error_set(err, -errno, VMM_EXIT_USAGE, "cannot write --json '%s': %s",
				     o.json_path, strerror(errno));
	static struct series churn[CHURN_VARIANTS];
	memset(churn, 0, sizeof churn);
	for (unsigned r = 0; o.churn && r < o.repeats; r++) {
		for (size_t k = 0; k < CHURN_VARIANTS; k++) {
			size_t i =
			    r % 2 ? CHURN_VARIANTS - 1 - k : k; /* as above: no fixed order */
			ret = run_churn(&o, &churn_variants[i], &churn[i], err);
			if (ret) {
				if (json)
					fclose(json);
				return vmm_error_prefix(err, ret, "bench churn");
			}
		}
	}
	static struct series restore[2]; /* boot, restore: to the first guest instruction */
	restore[0].n = restore[1].n = 0;
	for (unsigned r = 0; r < o.repeats; r++) {
		ret = bench_restore(o.kvm_device, &restore[0].ns[restore[0].n++],
				    &restore[1].ns[restore[1].n++], err);
		if (ret) {
			if (json)
				fclose(json);
			return vmm_error_prefix(err, ret, "bench restore");
		}
	}
	report(&o, results, churn, restore, json);
	if (json && fclose(json) != 0)
		return vmm_error_set(err, -EIO, VMM_EXIT_HOST_RESOURCES, "writing '%s' failed",
				     o.json_path);
	return 0;
}
