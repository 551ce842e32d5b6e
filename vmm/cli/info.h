/* SPDX-License-Identifier: MIT */
/* `minivmm info`: what this host offers for virtualization, and what it means for the user. */
#ifndef MINIVMM_INFO_H
#define MINIVMM_INFO_H

#include <stdio.h>

#include "util/vmm_error.h"

/* `minivmm info [options]` (argv[0] is "info"): prints the report, or with --cpuid the guest's
 * CPUID; returns 0 if KVM is usable, or a negative errno with err. */
int info_command(int argc, char **argv, struct vmm_error *err);

/* info's --help, and its command line for cli_parse() (the tests of --help use both). */
void info_usage(FILE *out);
extern const struct cli_spec info_cli_spec;

#endif
