/* SPDX-License-Identifier: MIT */
/* The Intel MultiProcessor Specification 1.4 table, for kernels that look for it instead of
 * ACPI: the floating pointer (4.1) and the configuration table (4.2) with its entries (4.3). */
#ifndef PC_CHECK_MPTABLE_H
#define PC_CHECK_MPTABLE_H

#include "io.h"

struct mp_info {
	uint32_t floating_pointer, config_table; /* 0 when absent */
	uint32_t config_length;
};

/* Finds and checks the table; its processors must be the MADT's (same APIC ids). */
void mptable_check(struct mp_info *mp, unsigned expected_cpus, const uint32_t *madt_ids,
		   unsigned madt_count);

#endif
