/* SPDX-License-Identifier: MIT */
#include "cli/option_values.h"

#include <errno.h>

#include "util/size_parse.h"

int cli_count(const char *option, const char *arg, uint64_t min, uint64_t max, uint64_t *value,
	      struct vmm_error *err)
{
	uint64_t v;
	if (parse_count(arg, &v) || v < min || v > max)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "invalid %s '%s': give a whole number from %llu to %llu, in "
				     "decimal digits",
				     option, arg, (unsigned long long)min, (unsigned long long)max);
	*value = v;
	return 0;
}

int cli_size(const char *option, const char *arg, uint64_t *value, struct vmm_error *err)
{
	if (parse_size(arg, value))
		return vmm_error_set(
		    err, -EINVAL, VMM_EXIT_USAGE,
		    "invalid memory size '%s' for %s: give digits with an optional "
		    "K, M or G suffix, e.g. 64M or 1G",
		    arg, option);
	return 0;
}

int cli_address(const char *option, const char *arg, uint64_t *value, struct vmm_error *err)
{
	if (parse_u64(arg, value))
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "invalid %s '%s': give an address in decimal or 0x-hex, e.g. "
				     "0x100000",
				     option, arg);
	return 0;
}

int cli_seconds(const char *option, const char *arg, double *value, struct vmm_error *err)
{
	if (parse_seconds(arg, value))
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "invalid %s '%s': give seconds above 0 and at most a year, as "
				     "digits with an optional fraction, e.g. 5 or 0.5",
				     option, arg);
	return 0;
}

int cli_decimal(const char *option, const char *arg, double max, double *value,
		struct vmm_error *err)
{
	double v;
	if (parse_decimal(arg, &v) || !(v > 0 && v <= max))
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "invalid %s '%s': give a number above 0 and at most %g, as "
				     "digits with an optional fraction, e.g. 0.5",
				     option, arg, max);
	*value = v;
	return 0;
}

int cli_path(const char *option, const char *arg, const char *example, struct vmm_error *err)
{
	if (arg[0] == '\0')
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "empty path for %s: give one, e.g. %s", option, example);
	return 0;
}
