/* SPDX-License-Identifier: MIT */
/*
 * `minivmm compare`: the seed's chapter 10 claim, measured. The same workloads as a host process
 * and as a ring-3 program in the toy guest: computation should run at native speed; a device
 * access pays a trip through a VM exit, KVM and (often) the VMM.
 */
#ifndef MINIVMM_COMPARE_H
#define MINIVMM_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/vmm_error.h"

#define COMPARE_MAX_REPEATS 32
#define COMPARE_MAX_SCALE   1000.0 /* --scale */

/* A median over repeats, and the spread (half the range of the middle runs, in %). */
struct measurement {
	double ns_per_op;
	double spread_pct;
	bool available;
	const char *why_not; /* when !available */
};

/* Guest-side accounting from the trace records and KVM's counters, per operation. */
struct exit_accounting {
	double user_exits_per_op;      /* exits that reached minivmm's device */
	double in_kernel_exits_per_op; /* exits KVM finished itself (stats fd), or < 0 unknown */
	double vmm_ns_per_op;	       /* minivmm's handling of those exits */
};

struct compare_row {
	const char *key;
	const char *title;
	struct measurement host, guest;
	struct exit_accounting exits;
	const char *host_clock, *guest_clock;
};

/* --- host_workloads.c ------------------------------------------------------------------- */
enum host_workload {
	HOST_COMPUTE,
	HOST_MEM_FIRST_TOUCH,
	HOST_MEM_SECOND_TOUCH,
	HOST_WRITE_DEVNULL, /* a process reaching a device through its kernel */
	HOST_SYSCALL,	    /* getppid(): the bare system call */
	HOST_CPUID,
	HOST_DEVICE_MODEL, /* the bench device's write handler called directly */
	HOST_IOPERM_OUTB,  /* ioperm() + outb to port 0x80, where the host permits it */
};

/* Measures one host workload: repeats runs of iters operations, clock CLOCK_MONOTONIC. */
struct measurement host_measure(enum host_workload w, uint64_t iters, unsigned repeats,
				uint64_t mem_mib);

/* --- guest_runs.c --------------------------------------------------------------------------- */
struct guest_result {
	struct measurement m;	   /* first phase (or the only one) */
	struct measurement second; /* mem: the second touch */
	struct exit_accounting exits;
};

struct compare_options {
	unsigned repeats;
	double scale; /* multiplies every iteration count */
	const char *kvm_device;
	uint64_t mem_mib;
	double tsc_ghz; /* guest TSC ticks per ns, calibrated on the host */
};

/* Boots the built-in bench guest on `workload`, parses its @result lines. */
int guest_measure(const struct compare_options *o, const char *workload, uint64_t iters,
		  struct guest_result *out, struct vmm_error *err);

/* --- compare_svg.c -------------------------------------------------------------------------- */
int compare_svg_write(const char *path, const struct compare_row *rows, unsigned count, bool nested,
		      struct vmm_error *err);

/* --- compare.c ------------------------------------------------------------------------------ */
/* argv[0] is "compare". Returns the process exit status (0), or a negative errno with err. */
int compare_command(int argc, char **argv, struct vmm_error *err);

/* --- compare_options.c ---------------------------------------------------------------------- */
struct compare_cli {
	struct compare_options o;
	const char *svg_path; /* --svg */
	bool json;	      /* --json */
};

/* Parses compare's arguments (argv[0] is "compare"): 0, CLI_HELP, or -EINVAL with a usage
 * error (cli/options.h). */
int compare_parse_options(int argc, char **argv, struct compare_cli *c, struct vmm_error *err);

/* compare's --help, and its command line for cli_parse() (the tests of --help use both). */
void compare_usage(FILE *out);
extern const struct cli_spec compare_cli_spec;

#endif
