/* SPDX-License-Identifier: MIT */
#include "util/vmm_error.h"

#include <stdio.h>
#include <string.h>

int vmm_error_set(struct vmm_error *err, int neg_errno, enum vmm_exit_status status,
		  const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->status = status;
	}
	return neg_errno;
}

int vmm_error_prefix(struct vmm_error *err, int neg_errno, const char *fmt, ...)
{
	if (!err)
		return neg_errno;
	char msg[sizeof err->msg];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t used = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
	/* By hand, not snprintf: cutting a long message short is what is meant here. */
	const char *const parts[] = {": ", err->msg};
	for (size_t i = 0; i < 2; i++) {
		size_t len = strnlen(parts[i], sizeof msg - 1 - used);
		memcpy(msg + used, parts[i], len);
		used += len;
	}
	msg[used] = '\0';
	memcpy(err->msg, msg, used + 1);
	if (!err->status)
		err->status = VMM_EXIT_INTERNAL;
	return neg_errno;
}
