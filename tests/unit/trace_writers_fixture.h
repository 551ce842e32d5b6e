/* SPDX-License-Identifier: MIT */
/*
 * What test_trace_writers.c and test_trace_writers_svg.c share: a temporary directory for the
 * written file (in memory where there is room), reading the file back, counting occurrences, and
 * synthetic exit records, among them a sample of five on two vCPUs. Each test program gets its
 * own copy (static).
 */
#ifndef MINIVMM_TEST_TRACE_WRITERS_FIXTURE_H
#define MINIVMM_TEST_TRACE_WRITERS_FIXTURE_H

#include <check.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "trace/exit_record.h"

/* ---- helpers: files ---- */

static char tmpdir[64];

/* base "/dev/shm" (memory) for the big file, so the test times the writer, not the disk; /tmp
 * where /dev/shm is missing, read-only or too small for `room` bytes (a container's /dev/shm is
 * often 64 MiB). */
static inline void make_tmpdir_in(const char *base, uint64_t room)
{
	struct statvfs fs;
	if (access(base, W_OK) != 0 || statvfs(base, &fs) != 0 ||
	    (uint64_t)fs.f_bavail * fs.f_frsize < room)
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/test_trace_writers.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static inline void make_tmpdir(void)
{
	make_tmpdir_in("/tmp", 0);
}

static inline void tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static inline void remove_tmp(const char *path)
{
	unlink(path);
	rmdir(tmpdir);
}

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	char *text = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
	text[size] = '\0';
	fclose(f);
	return text;
}

static inline int count_of(const char *haystack, const char *needle)
{
	int n = 0;
	for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- synthetic records ---- */

static inline struct exit_record io_write(uint16_t vcpu, uint64_t seq, uint64_t t_run,
					  uint16_t port, uint8_t byte, const char *device)
{
	struct exit_record r = {.seq = seq, .t_run = t_run, .addr = port, .data = byte};
	r.t_exit = t_run + 1000, r.t_done = t_run + 1500, r.device = device;
	r.kvm_reason = KVM_EXIT_IO, r.count = 1, r.in_kernel_exits = 2, r.vcpu = vcpu;
	r.size = 1, r.flags = EXIT_RECORD_WRITE;
	return r;
}

/* vCPU 0: 'H' and '<' to the UART, an unclaimed MMIO read, a HLT (in-kernel count unknown);
 * vCPU 1: an MMIO write. In time order, as the run loop would hand them over. */
#define SAMPLE_COUNT 5
static inline void sample_records(struct exit_record r[SAMPLE_COUNT])
{
	r[0] = io_write(0, 0, 1000, 0x3f8, 'H', "uart8250");
	r[0].t_exit = 1001234, r[0].t_done = 1003000;
	r[1] = io_write(1, 0, 1002000, 0x3f8, '<', "uart8250");
	r[1].kvm_reason = KVM_EXIT_MMIO, r[1].addr = 0xd0000000, r[1].size = 4;
	r[1].data = 0x12345678, r[1].device = "virtio-mmio";
	r[2] = io_write(0, 1, 1003500, 0x3f8, '<', "uart8250");
	r[3] = io_write(0, 2, 1006000, 0, 0, NULL);
	r[3].kvm_reason = KVM_EXIT_MMIO, r[3].addr = 0xfee00000, r[3].size = 4;
	r[3].data = 0xffffffff, r[3].flags = EXIT_RECORD_UNCLAIMED;
	r[4] = (struct exit_record){.seq = 3, .t_run = 1010000, .kvm_reason = KVM_EXIT_HLT};
	r[4].t_exit = 91010000, r[4].t_done = 91010400, r[4].count = 1;
	r[4].flags = EXIT_RECORD_IN_KERNEL_UNKNOWN;
}

#endif
