/* SPDX-License-Identifier: MIT */
/*
 * The round trip of tests/integration/snapshot_checks.py:
 *   snapshot_roundtrip SAVED AGAIN   restores SAVED into a new VM exactly as `minivmm restore`
 *                                    does, then saves it to AGAIN before any vCPU has run;
 *                                    then compares the two files section by section (RAM
 *                                    aside) and prints each difference on one line.
 * Exit status: 0 same state, 1 a difference, 65/66/... a file or KVM error, 77 no /dev/kvm.
 *
 * What is allowed to differ, because it is time itself, not state: IA32_TSC (the guest's TSC
 * ticks while the restored VM exists), the PIT's count_load_time (host nanoseconds when the
 * count was loaded), the clocks of the devices that declare one (struct device_entry's
 * has_clock: the ACPI PM timer) and the kvmclock, which must go on from the saved value (a new
 * VM's starts again near 0). Everything else must be identical byte for byte.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "machine/vm.h"
#include "snapshot/snapshot.h"
#include "snapshot/snapshot_restore.h"

#define MSR_IA32_TSC 0x10

static int fail(const struct vmm_error *err)
{
	fprintf(stderr, "snapshot_roundtrip: %s\n", err->msg);
	return err->status ? (int)err->status : 70;
}

/* The devices' clocks: "dev.NAME" and where its saved bytes hold the count. */
static struct {
	char section[SNAPSHOT_SECTION_NAME_SIZE + 1];
	uint16_t offset;
} device_clocks[DEVICE_TABLE_MAX];
static unsigned device_clock_count;

static void note_device_clocks(const struct device_table *devices)
{
	for (unsigned i = 0; i < devices->count; i++)
		if (devices->entries[i].has_clock) {
			snprintf(device_clocks[device_clock_count].section,
				 sizeof device_clocks[0].section, "dev.%s",
				 devices->entries[i].name);
			device_clocks[device_clock_count++].offset =
			    devices->entries[i].clock_offset;
		}
}

/* Where section name holds a clock that must only go on (8 bytes), or -1. */
static long clock_offset(const char *name)
{
	if (strcmp(name, "kvmclock") == 0)
		return 0; /* its nanoseconds, docs/snapshot.md */
	for (unsigned i = 0; i < device_clock_count; i++)
		if (strcmp(name, device_clocks[i].section) == 0)
			return device_clocks[i].offset;
	return -1;
}

/* Zeroes in a copy of a section what is time rather than state. */
static void mask_time(const char *name, uint8_t *data, size_t size)
{
	long clock = clock_offset(name);
	if (clock >= 0 && (size_t)clock + sizeof(uint64_t) <= size)
		memset(data + clock, 0, sizeof(uint64_t)); /* checked by clock_went_on() */
	if (strstr(name, ".msrs")) {
		struct kvm_msr_entry *e = (void *)data;
		for (size_t i = 0; i < size / sizeof *e; i++)
			if (e[i].index == MSR_IA32_TSC)
				e[i].data = 0;
	} else if (strcmp(name, "irqchip.pit") == 0 && size == sizeof(struct kvm_pit_state2)) {
		struct kvm_pit_state2 *pit = (void *)data;
		for (unsigned i = 0; i < 3; i++)
			pit->channels[i].count_load_time = 0;
	}
}

/* A clock of section name went on from the saved value: not back to a new VM's ~0. */
static int clock_went_on(const char *name, const uint8_t *a, const uint8_t *b, size_t size)
{
	long clock = clock_offset(name);
	if (clock < 0 || (size_t)clock + sizeof(uint64_t) > size)
		return 0;
	uint64_t saved, again;
	memcpy(&saved, a + clock, sizeof saved);
	memcpy(&again, b + clock, sizeof again);
	printf("%s: clock %llu saved, %llu after the restore\n", name, (unsigned long long)saved,
	       (unsigned long long)again);
	if (again >= saved)
		return 0;
	printf("%s: the clock went back by %llu\n", name, (unsigned long long)(saved - again));
	return 1;
}

static int compare(const struct snapshot_view *a, const struct snapshot_view *b)
{
	int differences = 0;
	if (a->header.section_count != b->header.section_count) {
		printf("section count %u vs %u\n", a->header.section_count,
		       b->header.section_count);
		differences++;
	}
	for (uint32_t i = 0; i < a->header.section_count; i++) {
		char name[SNAPSHOT_SECTION_NAME_SIZE + 1] = {0};
		memcpy(name, a->table[i].name, SNAPSHOT_SECTION_NAME_SIZE);
		size_t sa, sb;
		const uint8_t *da = snapshot_section(a, name, &sa);
		const uint8_t *db = snapshot_section(b, name, &sb);
		if (!db || sa != sb) {
			printf("%s: %zu bytes vs %s\n", name, sa, db ? "another size" : "missing");
			differences++;
			continue;
		}
		static uint8_t ca[1 << 20], cb[1 << 20];
		if (sa > sizeof ca)
			continue;
		differences += clock_went_on(name, da, db, sa);
		memcpy(ca, da, sa);
		memcpy(cb, db, sb);
		mask_time(name, ca, sa);
		mask_time(name, cb, sb);
		for (size_t off = 0; off < sa; off++)
			if (ca[off] != cb[off]) {
				printf("%s: differs first at byte %zu (0x%02x vs 0x%02x)\n", name,
				       off, ca[off], cb[off]);
				differences++;
				break;
			}
	}
	printf("%u sections compared, %d differ\n", a->header.section_count, differences);
	return differences ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: snapshot_roundtrip SAVED AGAIN\n");
		return 64;
	}
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		printf("SKIP: no usable /dev/kvm\n");
		return 77;
	}
	struct vmm_error err = {0};
	struct snapshot_file saved;
	if (snapshot_file_open(&saved, argv[1], &err))
		return fail(&err);
	struct vm_config cfg = {.console_in_fd = -1, .console_out_fd = -1};
	snapshot_file_vm_config(&saved, &cfg);
	static struct vm vm;
	int ret = vm_create(&vm, &cfg, &err);
	ret = ret ?: snapshot_restore_vm(&vm, &saved, &err);
	note_device_clocks(&vm.devices);
	int fd = ret ? -1 : open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!ret && fd < 0)
		ret = vmm_error_set(&err, -1, VMM_EXIT_NO_GUEST_FILE, "cannot create %s", argv[2]);
	ret = ret ?: snapshot_save(&vm, fd, &err);
	if (fd >= 0)
		close(fd);
	snapshot_finish(&vm);
	vm_destroy(&vm);
	if (ret) {
		snapshot_file_close(&saved);
		return fail(&err);
	}
	struct snapshot_file again;
	if (snapshot_file_open(&again, argv[2], &err)) {
		snapshot_file_close(&saved);
		return fail(&err);
	}
	int status = compare(&saved.view, &again.view);
	snapshot_file_close(&again);
	snapshot_file_close(&saved);
	return status;
}
