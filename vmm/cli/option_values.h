/* SPDX-License-Identifier: MIT */
/*
 * The values options take, read with util/size_parse.h's strict forms. Each function checks one
 * option's value and, when it is not acceptable, fills err with a usage error that names the
 * option, quotes the value and says which form and range to give. They return 0 or -EINVAL and
 * leave the output untouched on failure. cli_parse() adds the pointer to --help.
 */
#ifndef MINIVMM_CLI_OPTION_VALUES_H
#define MINIVMM_CLI_OPTION_VALUES_H

#include <stdint.h>

#include "util/vmm_error.h"

/* A count in decimal digits, min to max. */
int cli_count(const char *option, const char *arg, uint64_t min, uint64_t max, uint64_t *value,
	      struct vmm_error *err);

/* A size in bytes (parse_size(): digits, optional K/M/G). The range is the caller's. */
int cli_size(const char *option, const char *arg, uint64_t *value, struct vmm_error *err);

/* An address, decimal or 0x-hex. */
int cli_address(const char *option, const char *arg, uint64_t *value, struct vmm_error *err);

/* Seconds for a timeout (parse_seconds(): digits with an optional fraction, up to a year). */
int cli_seconds(const char *option, const char *arg, double *value, struct vmm_error *err);

/* A plain decimal number above 0 and at most max. */
int cli_decimal(const char *option, const char *arg, double max, double *value,
		struct vmm_error *err);

/* A path: anything but the empty string, which open() would refuse with a message about a file
 * named ''; example shows the option with a path ("--kvm /dev/kvm"). */
int cli_path(const char *option, const char *arg, const char *example, struct vmm_error *err);

#endif
