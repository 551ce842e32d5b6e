/* SPDX-License-Identifier: MIT */
/*
 * The firmware-table reader (tests/platform/fw_walk.c) over hostile guest memory: the input
 * fills the BIOS area from 0xF0000 (where minivmm's tables are: the seeds are real ones, from
 * `fw_dump --bios-area`), its first two bytes also the BDA's EBDA pointer, its next two the base
 * memory size. Invariants: the walk never
 * reads outside the memory (ASan), always ends, and every table it reports lies inside memory,
 * within its bound count, with an error message exactly when it fails. The same memory with the
 * tables minivmm writes (vmm/platform/firmware.c) must always walk cleanly.
 */
#include <string.h>

#include "fuzz_common.h"
#include "fw_walk.h"
#include "platform/firmware.h"

#define MEM_SIZE   0x110000u
#define INPUT_BASE 0xf0000u

static uint8_t mem[MEM_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(mem, 0, sizeof mem);
	if (size >= 4) {
		memcpy(mem + 0x40e, data, 2);
		memcpy(mem + 0x413, data + 2, 2);
	}
	size_t n = size < MEM_SIZE - INPUT_BASE ? size : MEM_SIZE - INPUT_BASE;
	memcpy(mem + INPUT_BASE, data, n);
	struct fw_walk w;
	int rc = fw_walk(mem, sizeof mem, &w);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK((rc != 0) == (w.error[0] != '\0'));
	FUZZ_CHECK(w.count <= FW_WALK_MAX_TABLES);
	for (size_t i = 0; i < w.count; i++)
		FUZZ_CHECK(w.tables[i].gpa + w.tables[i].length <= sizeof mem &&
			   w.tables[i].bytes == mem + w.tables[i].gpa);

	/* The real tables, over whatever the input left elsewhere in memory. */
	struct guest_mem gm;
	guest_mem_wrap(&gm, mem, sizeof mem);
	struct vmm_error err = {0};
	unsigned cpus = size ? 1u + data[0] % 8u : 1u;
	FUZZ_CHECK(pc_firmware_write(&gm, cpus, size % 2 == 0, 0, 0, &err) == 0);
	FUZZ_CHECK(fw_walk(mem, sizeof mem, &w) == 0);
	return 0;
}
