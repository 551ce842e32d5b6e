/* SPDX-License-Identifier: MIT */
/* The run and restore commands (main.c's command table). */
#ifndef MINIVMM_CLI_RUN_COMMAND_H
#define MINIVMM_CLI_RUN_COMMAND_H

#include "util/vmm_error.h"

/* argv[0] is the command's name. Each returns the run's exit status (>= 0), or a negative errno
 * with err for main() to print. */
int run_command(int argc, char **argv, struct vmm_error *err);
int restore_command(int argc, char **argv, struct vmm_error *err);

#endif
