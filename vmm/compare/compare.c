/* SPDX-License-Identifier: MIT */
/*
 * minivmm compare: one table that answers the seed's chapter 10 question on this machine.
 * Each row times the same operation as a host process and as a ring-3 program of the toy guest
 * (the guest's counterpart of a process), plus where the guest's time went: exits that reached
 * minivmm, exits KVM finished itself, and minivmm's own handling.
 */
#include "compare/compare.h"
#include "util/tsc_calibrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/options.h"
#include "host/host_virt.h"

struct row_spec {
	const char *key, *title;
	const char *guest_workload; /* NULL: host-only reference */
	uint64_t guest_iters;
	enum host_workload host;
	uint64_t host_iters;
	bool second_phase; /* the mem workload's second touch */
};

static const struct row_spec specs[] = {
    {"compute", "computation (same C loop, per step)", "compute", 2000000, HOST_COMPUTE, 2000000,
     false},
    {"compute_kernel", "computation in guest kernel mode", "compute-kernel", 2000, HOST_COMPUTE,
     2000, false},
    {"mem_first_touch", "memory, first touch (per 4 KiB page)", "mem", 0, HOST_MEM_FIRST_TOUCH, 0,
     false},
    {"mem_second_touch", "memory, second touch (per page)", "mem", 0, HOST_MEM_SECOND_TOUCH, 0,
     true},
    {"pio", "PIO register write, ring 3 (userspace exit)", "pio", 2000, HOST_WRITE_DEVNULL, 200000,
     false},
    {"pio_syscall", "PIO write via syscall + driver", "pio-syscall", 1000, HOST_WRITE_DEVNULL,
     200000, false},
    {"mmio", "MMIO register write, ring 3 (userspace exit)", "mmio", 2000, HOST_WRITE_DEVNULL,
     200000, false},
    {"mmio_syscall", "MMIO write via syscall + driver", "mmio-syscall", 1000, HOST_WRITE_DEVNULL,
     200000, false},
    {"ioeventfd_pio", "PIO doorbell -> ioeventfd (in kernel)", "ioeventfd-pio", 20000,
     HOST_WRITE_DEVNULL, 200000, false},
    {"ioeventfd_mmio", "MMIO doorbell -> ioeventfd (in kernel)", "ioeventfd-mmio", 20000,
     HOST_WRITE_DEVNULL, 200000, false},
    {"coalesced_mmio", "coalesced MMIO write (batched)", "coalesced-mmio", 20000,
     HOST_WRITE_DEVNULL, 200000, false},
    {"cpuid", "CPUID (always exits, KVM handles it)", "cpuid", 20000, HOST_CPUID, 200000, false},
    {"syscall", "null system call", "syscall", 2000, HOST_SYSCALL, 200000, false},
    {"device_model", "host: device model called directly", NULL, 0, HOST_DEVICE_MODEL, 1000000,
     false},
    {"ioperm_outb", "host: ioperm() + outb to port 0x80", NULL, 0, HOST_IOPERM_OUTB, 100000, false},
};
#define ROW_COUNT (sizeof specs / sizeof specs[0])

static const char *host_clock_of(enum host_workload w)
{
	(void)w;
	return "CLOCK_MONOTONIC";
}

static uint64_t scaled(uint64_t iters, double scale)
{
	double v = (double)iters * scale;
	return v < 10 ? 10 : (uint64_t)v;
}

/* Runs every row; guest workloads shared by two rows (mem) run once. */
static int measure_rows(const struct compare_options *o, struct compare_row *rows,
			struct vmm_error *err)
{
	struct guest_result mem = {0};
	bool mem_done = false;
	for (unsigned i = 0; i < ROW_COUNT; i++) {
		const struct row_spec *s = &specs[i];
		struct compare_row *r = &rows[i];
		*r = (struct compare_row){.key = s->key,
					  .title = s->title,
					  .host_clock = host_clock_of(s->host),
					  .guest_clock = "guest TSC (calibrated)"};
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "measuring %-18s\r", s->key);
		r->host =
		    host_measure(s->host, scaled(s->host_iters, o->scale), o->repeats, o->mem_mib);
		if (!s->guest_workload) {
			r->guest.why_not = "host only";
			r->exits.in_kernel_exits_per_op = -1;
			continue;
		}
		struct guest_result g = {0};
		if (strcmp(s->guest_workload, "mem") == 0) {
			if (!mem_done) {
				int ret = guest_measure(o, "mem", 1, &mem, err);
				if (ret)
					return ret;
				mem_done = true;
			}
			g = mem;
			if (s->second_phase) {
				/* The run's exits all belong to the first touch. */
				g.m = mem.second;
				g.exits = (struct exit_accounting){.in_kernel_exits_per_op = -1};
			}
		} else {
			int ret = guest_measure(o, s->guest_workload,
						scaled(s->guest_iters, o->scale), &g, err);
			if (ret)
				return ret;
		}
		r->guest = g.m;
		r->exits = g.exits;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "%40s\r", "");
	return 0;
}

static void format_ns(char *buf, size_t size, const struct measurement *m)
{
	if (!m->available)
		snprintf(buf, size, "-");
	else if (m->ns_per_op < 10)
		snprintf(buf, size, "%.2f", m->ns_per_op);
	else
		snprintf(buf, size, "%.0f", m->ns_per_op);
}

static void print_table(const struct compare_row *rows, const struct host_virt *hv,
			const struct compare_options *o)
{
	printf("%-46s %10s %10s %10s %6s %9s %10s %8s\n", "workload (per operation)", "host ns",
	       "guest ns", "guest/host", "exits", "in-kernel", "guest+KVM", "VMM ns");
	for (unsigned i = 0; i < ROW_COUNT; i++) {
		const struct compare_row *r = &rows[i];
		char host[24], guest[24], ratio[24] = "-", exits[16] = "-", in_kernel[16] = "-",
					  vmm[16] = "-", in_run[16] = "-";
		format_ns(host, sizeof host, &r->host);
		format_ns(guest, sizeof guest, &r->guest);
		if (r->host.available && r->guest.available)
			snprintf(ratio, sizeof ratio, "%.2fx",
				 r->guest.ns_per_op / r->host.ns_per_op);
		if (r->guest.available) {
			snprintf(exits, sizeof exits, "%.2f", r->exits.user_exits_per_op);
			snprintf(vmm, sizeof vmm, "%.0f", r->exits.vmm_ns_per_op);
			struct measurement inside = r->guest;
			inside.ns_per_op = r->guest.ns_per_op > r->exits.vmm_ns_per_op
					       ? r->guest.ns_per_op - r->exits.vmm_ns_per_op
					       : 0;
			format_ns(in_run, sizeof in_run, &inside);
			if (r->exits.in_kernel_exits_per_op >= 0)
				snprintf(in_kernel, sizeof in_kernel, "%.2f",
					 r->exits.in_kernel_exits_per_op);
		}
		printf("%-46s %10s %10s %10s %6s %9s %10s %8s\n", r->title, host, guest, ratio,
		       exits, in_kernel, in_run, vmm);
		if (!r->host.available && r->host.why_not)
			printf("%-46s (%s)\n", "", r->host.why_not);
	}
	printf("\nhost ns: CLOCK_MONOTONIC around the loop in this process; guest ns: the TSC read "
	       "in guest ring 3 around the loop, at %.3f GHz (calibrated against the host clock). "
	       "Medians of %u runs.\n"
	       "exits: exits per operation that reached minivmm; in-kernel: exits KVM finished "
	       "itself (KVM's binary stats); where the guest's time went: guest+KVM = inside "
	       "KVM_RUN (guest code, the exit and entry, KVM), VMM = in minivmm between KVM_RUN "
	       "calls (from the exit records).\n"
	       "Host device rows are write() to /dev/null: how a process reaches a device through "
	       "its kernel.\n",
	       o->tsc_ghz, o->repeats);
	(void)hv;
}

static const struct compare_row *row(const struct compare_row *rows, const char *key)
{
	for (unsigned i = 0; i < ROW_COUNT; i++)
		if (strcmp(rows[i].key, key) == 0)
			return &rows[i];
	return NULL;
}

static double ratio(const struct compare_row *r)
{
	return r->guest.available && r->host.available ? r->guest.ns_per_op / r->host.ns_per_op : 0;
}

/* The table in plain words, computed from this run's figures. */
static void print_explanation(const struct compare_row *rows, const struct host_virt *hv)
{
	const struct compare_row *compute = row(rows, "compute"),
				 *kernel = row(rows, "compute_kernel"), *pio = row(rows, "pio"),
				 *pio_sys = row(rows, "pio_syscall"),
				 *doorbell = row(rows, "ioeventfd_pio"),
				 *model = row(rows, "device_model"),
				 *first = row(rows, "mem_first_touch");
	printf("\nWhat it means:\n");
	printf("- Computation runs at %.2fx the host's time in guest user mode: no exits, the CPU "
	       "runs guest code directly (the book's claim: native speed).\n",
	       ratio(compute));
	if (host_virt_is_nested(hv))
		printf("- In guest kernel mode the same loop took %.0fx the host's time. This host "
		       "has no vmx/svm flag (%s): KVM emulates guest ring-0 code instruction by "
		       "instruction. On a VT-x/SVM host kernel mode runs as fast as user mode.\n",
		       ratio(kernel), hv->kvm_modules[0] ? hv->kvm_modules : "software KVM");
	else
		printf("- In guest kernel mode: %.2fx, as fast as user mode on hardware "
		       "virtualization.\n",
		       ratio(kernel));
	if (pio->guest.available && model->host.available)
		printf(
		    "- A device register write costs the guest %.1f us (%.2f exits to minivmm "
		    "each); minivmm's emulation of the register is %.0f ns of it, the device "
		    "model alone %.0f ns: the rest is the VM exit, KVM, the trip to userspace and "
		    "back. A host process pays %.0f ns for write() to /dev/null: %.0fx less.\n",
		    pio->guest.ns_per_op / 1000, pio->exits.user_exits_per_op,
		    pio->exits.vmm_ns_per_op, model->host.ns_per_op, pio->host.ns_per_op,
		    ratio(pio));
	if (pio_sys->guest.available)
		printf("- Through the guest kernel (system call, driver, register), as a process "
		       "does it in the book: %.1f us.\n",
		       pio_sys->guest.ns_per_op / 1000);
	if (doorbell->guest.available && pio->guest.available)
		printf(
		    "- An ioeventfd doorbell still exits, but KVM completes it in the kernel: "
		    "%.1f us, %.0fx cheaper than the userspace exit. That is why virtio notifies "
		    "through ioeventfd, and why coalesced MMIO and shared-memory queues exist: "
		    "fewer exits per byte moved.\n",
		    doorbell->guest.ns_per_op / 1000,
		    pio->guest.ns_per_op / doorbell->guest.ns_per_op);
	if (first->guest.available)
		printf("- First touch of guest memory costs %.1f us per page (%.1fx the host): the "
		       "guest's page tables already map it, but the host has not backed it yet, so "
		       "KVM takes a fault of its own (EPT/NPT violation, or shadow paging on a "
		       "nested host) and Linux allocates the page: two layers of translation.\n",
		       first->guest.ns_per_op / 1000, ratio(first));
	if (host_virt_is_nested(hv) || hv->under_hypervisor)
		printf("\nWarning: this host is itself a virtual machine (%s). Every absolute "
		       "figure above includes the outer hypervisor; compare the ratios, measured "
		       "together in this run, not the absolute numbers.\n",
		       hv->under_hypervisor ? "the CPU reports a hypervisor" : "no vmx/svm flag");
}

static void print_json(const struct compare_row *rows, const struct host_virt *hv,
		       const struct compare_options *o)
{
	printf("{\n  \"tsc_ghz\": %.4f,\n  \"repeats\": %u,\n  \"nested_host\": %s,\n  \"rows\": {",
	       o->tsc_ghz, o->repeats, host_virt_is_nested(hv) ? "true" : "false");
	for (unsigned i = 0; i < ROW_COUNT; i++) {
		const struct compare_row *r = &rows[i];
		printf("%s\n    \"%s\": {\"title\": \"%s\"", i ? "," : "", r->key, r->title);
		if (r->host.available)
			printf(", \"host_ns\": %.3f, \"host_spread_pct\": %.1f", r->host.ns_per_op,
			       r->host.spread_pct);
		if (r->guest.available)
			printf(", \"guest_ns\": %.3f, \"guest_spread_pct\": %.1f, "
			       "\"user_exits_per_op\": %.4f, \"in_kernel_exits_per_op\": %.4f, "
			       "\"vmm_ns_per_op\": %.1f",
			       r->guest.ns_per_op, r->guest.spread_pct, r->exits.user_exits_per_op,
			       r->exits.in_kernel_exits_per_op, r->exits.vmm_ns_per_op);
		if (r->host.available && r->guest.available)
			printf(", \"guest_host_ratio\": %.4f", ratio(r));
		printf("}");
	}
	printf("\n  }\n}\n");
}

int compare_command(int argc, char **argv, struct vmm_error *err)
{
	struct compare_cli c;
	int ret = compare_parse_options(argc, argv, &c, err);
	if (ret == CLI_HELP) {
		compare_usage(stdout);
		return 0;
	}
	if (ret)
		return ret;
	struct host_virt hv;
	host_virt_probe(&hv);
	c.o.tsc_ghz = tsc_calibrate_ghz();
	static struct compare_row rows[ROW_COUNT];
	ret = measure_rows(&c.o, rows, err);
	if (ret)
		return ret;
	if (c.json) {
		print_json(rows, &hv, &c.o);
	} else {
		print_table(rows, &hv, &c.o);
		print_explanation(rows, &hv);
	}
	if (c.svg_path)
		return compare_svg_write(c.svg_path, rows, ROW_COUNT, host_virt_is_nested(&hv),
					 err);
	return 0;
}
