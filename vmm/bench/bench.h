/* SPDX-License-Identifier: MIT */
/* `minivmm bench`: exit round trips against the bare-KVM floor, and what tracing costs. */
#ifndef MINIVMM_BENCH_H
#define MINIVMM_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/vmm_error.h"

/* argv[0] is "bench". Returns the process exit status (0), or a negative errno with err. */
int bench_command(int argc, char **argv, struct vmm_error *err);

/* --- bench_options.c ------------------------------------------------------------------------ */
#define BENCH_MAX_REPEATS 64

struct bench_options {
	uint32_t iterations;	/* --iterations: exits per run */
	unsigned repeats;	/* --repeats: runs per figure */
	const char *json_path;	/* --json */
	const char *kvm_device; /* --kvm; NULL: the default */
	unsigned churn;		/* VMs for the churn figure (churn.c); 0: skip it */
	bool boot_floor;	/* --boot-floor: only the boot floor (kvm_vm_floor.h) */
};

/* Parses bench's arguments (argv[0] is "bench"): 0, CLI_HELP, or -EINVAL with a usage error
 * (cli/options.h). */
int bench_parse_options(int argc, char **argv, struct bench_options *o, struct vmm_error *err);

/* bench's --help, and its command line for cli_parse() (the tests of --help use both). */
void bench_usage(FILE *out);
extern const struct cli_spec bench_cli_spec;

#endif
