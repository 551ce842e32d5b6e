/* SPDX-License-Identifier: MIT */
/*
 * What test_loader_elf.c, test_loader_elf_refusals.c and test_loader_flat_file.c share: guest RAM
 * as a 4 MiB buffer pre-filled with 0xAA, so zero-filled .bss and untouched RAM are both visible,
 * and the check of a refused image (status, message, RAM untouched). Each test program gets its
 * own copy (static).
 */
#ifndef MINIVMM_TEST_LOADER_FIXTURE_H
#define MINIVMM_TEST_LOADER_FIXTURE_H

#include <check.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"
#include "machine/guest_mem.h"
#include "minivmm/boot_abi.h"
#include "util/vmm_error.h"

#define RAM_SIZE (4ull << 20)
#define RAM_FILL 0xAA

static uint8_t *ram;
static struct guest_mem mem;
static struct vmm_error err;
static const struct load_constraints limits = {.reserved_end = MINIVMM_RESERVED_END};

static inline void setup(void)
{
	ram = malloc(RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	memset(ram, RAM_FILL, RAM_SIZE);
	guest_mem_wrap(&mem, ram, RAM_SIZE);
	memset(&err, 0, sizeof err);
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
}

static inline void teardown(void)
{
	free(ram);
}

static inline bool all_bytes(const uint8_t *p, size_t n, uint8_t value)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != value)
			return false;
	return true;
}

/* A refused image: right status, a message containing needle, and RAM not touched at all. */
static inline void assert_refused(int rc, const char *needle)
{
	ck_assert_int_lt(rc, 0);
	ck_assert_int_eq(err.status, VMM_EXIT_GUEST_IMAGE);
	ck_assert_msg(strstr(err.msg, needle), "message \"%s\" lacks \"%s\"", err.msg, needle);
	ck_assert_msg(all_bytes(ram, RAM_SIZE, RAM_FILL), "a refused image wrote to RAM");
}

#endif
