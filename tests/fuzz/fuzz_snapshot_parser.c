/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a snapshot file's state (vmm/snapshot/snapshot_parser.c), then each device
 * section into the load hook of the device it names (vmm/devices/, vmm/virtio/), as
 * `minivmm restore` does before any vCPU runs.
 *
 * The input is the bytes before RAM; the file's size is what its header says (RAM offset plus
 * RAM size) when that does not overflow, so the parser gets past the size check to the table.
 * Each input is parsed twice: as it is, and with every CRC made right (the table's, each
 * section's that lies inside the input, the header's), so the fuzzer reaches the offset, size
 * and name checks and the device hooks behind the checksums.
 * Invariants: a refused file gets status 65 and a one-line message; an accepted one has every
 * section inside the bytes before RAM, after the table, in order; a device's load hook either
 * takes its section or refuses it, never crashes.
 */
#include <stddef.h>
#include <string.h>

#include "devices/devices.h"
#include "fuzz_common.h"
#include "machine/vm.h"
#include "snapshot/snapshot_parser.h"

static void load_devices(const struct snapshot_view *view)
{
	static struct vm vm;
	vm_init_without_kvm(&vm);
	static uint8_t ram[2u << 20];
	guest_mem_wrap(&vm.mem, ram, sizeof ram);
	const struct device_module *modules[] = {
	    &uart8250_com1_module, &rtc_cmos_module, &reset_control_module, &bench_device_module,
	    &virtio_rng_module,	   &acpi_pm_module,  &pci_config_module};
	struct vmm_error err;
	for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
		FUZZ_CHECK(vm_attach_device(&vm, modules[i], &err) == 0);
	for (unsigned i = 0; i < vm.devices.count; i++) {
		const struct device_entry *d = &vm.devices.entries[i];
		char name[SNAPSHOT_SECTION_NAME_SIZE];
		snprintf(name, sizeof name, "dev.%s", d->name);
		size_t size;
		const void *data = snapshot_section(view, name, &size);
		if (data && d->load)
			(void)d->load(d->state, data, size);
	}
	vm_destroy(&vm);
}

/* Makes every CRC of buf right, where the bytes it covers are inside buf. */
static void reseal(uint8_t *buf, size_t size)
{
	struct snapshot_header h;
	if (size < sizeof h)
		return;
	memcpy(&h, buf, sizeof h);
	uint64_t count = h.section_count;
	if (count > (size - sizeof h) / sizeof(struct snapshot_section_entry))
		count = (size - sizeof h) / sizeof(struct snapshot_section_entry);
	for (uint64_t i = 0; i < count; i++) {
		struct snapshot_section_entry e;
		uint8_t *at = buf + sizeof h + i * sizeof e;
		memcpy(&e, at, sizeof e);
		if (e.offset <= size && e.size <= size - e.offset) {
			e.crc = snapshot_crc32(buf + e.offset, e.size);
			memcpy(at, &e, sizeof e);
		}
	}
	if (count == h.section_count)
		h.table_crc =
		    snapshot_crc32(buf + sizeof h, count * sizeof(struct snapshot_section_entry));
	h.header_crc = snapshot_crc32(&h, offsetof(struct snapshot_header, header_crc));
	memcpy(buf, &h, sizeof h);
}

static void parse_one(const uint8_t *data, size_t size)
{
	uint64_t file_size = size;
	struct snapshot_header h;
	if (size >= sizeof h) {
		memcpy(&h, data, sizeof h);
		if (h.ram_offset <= UINT64_MAX - h.ram_size)
			file_size = h.ram_offset + h.ram_size;
	}
	struct snapshot_view view;
	struct vmm_error err = {0};
	int ret = snapshot_parse(data, size, file_size, &view, &err);
	if (ret) {
		FUZZ_CHECK(err.status == VMM_EXIT_GUEST_IMAGE);
		FUZZ_CHECK(err.msg[0] && !strchr(err.msg, '\n'));
		return;
	}
	uint64_t end =
	    sizeof h + (uint64_t)view.header.section_count * sizeof(struct snapshot_section_entry);
	for (uint32_t i = 0; i < view.header.section_count; i++) {
		struct snapshot_section_entry e;
		memcpy(&e, &view.table[i], sizeof e);
		FUZZ_CHECK(e.offset >= end && e.offset + e.size <= view.header.ram_offset);
		FUZZ_CHECK(view.header.ram_offset <= size);
		end = e.offset + e.size;
	}
	load_devices(&view);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_one(data, size);
	uint8_t *copy = malloc(size ? size : 1);
	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	reseal(copy, size);
	parse_one(copy, size);
	free(copy);
	return 0;
}
