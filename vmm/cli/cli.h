/* SPDX-License-Identifier: MIT */
/* The command line of `minivmm run`: parsed into options, or refused with a usage error. */
#ifndef MINIVMM_CLI_H
#define MINIVMM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/options.h"
#include "gdb/gdb_address.h"
#include "trace/trace_session.h"
#include "util/vmm_error.h"
#include "x86/cpu_model.h"

#define CLI_DEFAULT_MEMORY    (64ull << 20)
#define CLI_DEFAULT_LOAD_ADDR 0x100000ull
#define CLI_MAX_MODULES	      16 /* MULTIBOOT_MAX_MODULES */
#define CLI_MAX_CPUS	      8	 /* VM_MAX_VCPUS */

struct run_options {
	uint64_t memory;
	const char *cmdline;
	const char *guest_path;	  /* a file, or NULL for a built-in guest */
	const char *builtin_name; /* --guest NAME; NULL: the default built-in */
	bool list_guests;
	bool flat;
	uint64_t load_addr;
	bool strict_io;
	bool no_write_batching; /* --no-write-batching */
	double timeout_seconds;
	const char *kvm_device;
	const char *result_path; /* --result FILE (cli/run_result.h); NULL: none */
	struct trace_options trace;
	bool help;		       /* --help: print cli_run_usage(), nothing else was checked */
	bool no_sandbox;	       /* --no-sandbox */
	bool no_irqchip;	       /* --no-irqchip */
	bool reboot;		       /* --reboot */
	unsigned cpus;		       /* --cpus, 1 to CLI_MAX_CPUS */
	bool direct_smp;	       /* --direct-smp (the default bring-up anyway) */
	bool sipi_smp;		       /* --sipi-smp: the guest starts its APs (INIT-SIPI-SIPI) */
	enum cpu_model_kind cpu_model; /* --cpu-model (x86/cpu_model.h) */
	const char *boot; /* --boot auto|direct64|multiboot (boot_protocol.h); NULL: auto */
	const char *modules[CLI_MAX_MODULES]; /* --module FILE[,STRING], as typed */
	unsigned module_count;
	const char *gdb;		/* --gdb ADDR as typed, or NULL */
	struct gdb_address gdb_address; /* --gdb parsed */
	bool gdb_wait;			/* --gdb-wait */
	const char *api_sock;		/* --api-sock PATH: the control socket (api/api_server.h) */
	const char *snapshot_on_exit;	/* --snapshot-on-exit PATH (snapshot/snapshot.h) */
	const char *snapshot_path;	/* restore's FILE */
};

/* Parses `run`'s arguments (argv[0] is "run"): 0, or -EINVAL with a usage error. */
int cli_parse_run(int argc, char **argv, struct run_options *opts, struct vmm_error *err);

/* run's --help. */
void cli_run_usage(FILE *out);

/* `minivmm restore`'s arguments: the run options that fit a saved VM, and FILE. */
int cli_parse_restore(int argc, char **argv, struct run_options *opts, struct vmm_error *err);
void cli_restore_usage(FILE *out);
extern const struct cli_spec cli_restore_spec;

/* run's command line for cli_parse() (cli/options.h), for the tests of --help. */
extern const struct cli_spec cli_run_spec;

#endif
