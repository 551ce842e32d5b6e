/* SPDX-License-Identifier: MIT */
/* `minivmm top SOCKET`: a live view of one VM's exits through its control socket (docs/api.md). */
#ifndef MINIVMM_TOP_H
#define MINIVMM_TOP_H

#include <stdio.h>

#include "util/vmm_error.h"

/* argv[0] is "top". Returns the process exit status (>= 0), or a negative errno with err. */
int top_command(int argc, char **argv, struct vmm_error *err);

/* top's --help. */
void top_usage(FILE *out);

#endif
