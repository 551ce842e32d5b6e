#include "util/vmm_error.h"

#include <stdio.h>

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
