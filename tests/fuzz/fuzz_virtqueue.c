/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the split virtqueue (vmm/virtio/virtqueue.c) behind the virtio-mmio transport
 * (vmm/virtio/virtio_mmio.c), as a hostile guest drives them: it controls the register writes,
 * every byte of guest RAM (rings, descriptors, buffers) and the timing of notifies.
 *
 * Guest RAM is a 64 KiB heap block (so ASan sees any access past it); the device is a
 * deterministic stand-in with two queues (the transport is generic): it fills writable buffers
 * with 0xa5 and, on queue 1, defers a chain whose first readable byte is 0xde and rejects one
 * whose first readable byte is 0xba (VIRTIO_CHAIN_BAD). No KVM: notifies are served inline.
 *
 * Input: a stream of operations, an opcode byte (low 3 bits) and its operands:
 *   0  register write: offset byte (x4, 0..0x3fc), 4-byte value
 *   1  register read: offset byte (x4)
 *   2  RAM write: 2-byte offset, length byte (0-31), then the bytes
 *   3  descriptor: index byte, address (mode bit 7 of the opcode: 8 raw bytes, else 2 bytes
 *      inside RAM), 4-byte length, 2-byte flags, 2-byte next; into the standard table
 *   4  post: 2-byte head into the standard available ring, index + 1
 *   5  QueueNotify (queue = bit 3 of the opcode)
 *   6  canned driver set-up of queue (bit 3): negotiate VERSION_1, size byte, standard layout
 *      (opcode bit 4 clear) or 3 x 8 raw address bytes, DRIVER_OK
 *   7  raw bus access: 2-byte offset (whole slot), size 1/2/4/8 (opcode bits 3-4), write (bit 5)
 * Standard layout: queue q's descriptor table at 0x1000 + q * 0x4000, available ring +0x1000,
 * used ring +0x2000.
 *
 * Invariants: InterruptStatus holds only bits 0-1; DEVICE_NEEDS_RESET comes with a reason; a
 * write of 0 to Status leaves Status and InterruptStatus 0; the bytes the device reports written
 * never exceed what its handler wrote; nothing is touched outside RAM (ASan).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "virtio/virtio_mmio.h"

#define RAM_SIZE 0x10000u
#define BASE	 MINIVMM_VIRTIO_MMIO_BASE

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static uint64_t take_le(struct input *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->pos < in->size; i++)
		v |= (uint64_t)in->data[in->pos++] << (8 * i);
	return v;
}

/* The next n input bytes, zeros once the input runs out (as take_le() reads them). */
static void take_bytes(struct input *in, uint8_t *out, size_t n)
{
	size_t have = in->size - in->pos < n ? in->size - in->pos : n;
	memcpy(out, in->data + in->pos, have);
	memset(out + have, 0, n - have);
	in->pos += have;
}

static struct vm vm;
static uint64_t handler_bytes;

static int64_t fuzz_handle_chain(void *dev, unsigned queue, const struct virtq_chain *chain)
{
	(void)dev;
	FUZZ_CHECK(chain->count >= 1 && chain->count <= VIRTQ_NUM_LIMIT);
	uint64_t written = 0;
	for (unsigned i = 0; i < chain->count; i++) {
		const struct virtq_buffer *b = &chain->buffers[i];
		FUZZ_CHECK(b->hva == guest_mem_gpa_to_hva(&vm.mem, b->gpa, b->len));
		if (i == 0 && !b->device_writable && b->len && queue == 1) {
			if (b->hva[0] == 0xde)
				return VIRTIO_CHAIN_DEFER;
			if (b->hva[0] == 0xba)
				return VIRTIO_CHAIN_BAD;
		}
		if (b->device_writable) {
			memset(b->hva, 0xa5, b->len);
			written += b->len;
		}
	}
	FUZZ_CHECK(written == chain->writable_bytes);
	handler_bytes += written;
	return (int64_t)written;
}

static void fuzz_config_read(void *dev, uint32_t offset, uint8_t *data, uint32_t len)
{
	(void)dev;
	static const uint8_t config[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	FUZZ_CHECK(offset + len <= sizeof config);
	memcpy(data, config + offset, len);
}

static const struct virtio_device_ops fuzz_device = {
    .name = "virtio-fuzz",
    .device_id = 0xfe,
    .features = 1ull << 0,
    .queue_count = 2,
    .queue_num_max = 64,
    .config_size = 8,
    .config_read = fuzz_config_read,
    .handle_chain = fuzz_handle_chain,
};

static void access(uint64_t offset, uint8_t *data, uint32_t len, bool write)
{
	FUZZ_CHECK(bus_access(&vm.mmio_bus, BASE + offset, data, len, write) != NULL);
}

static void reg_write(uint32_t offset, uint32_t value)
{
	uint8_t data[4];
	memcpy(data, &value, 4);
	access(offset, data, 4, true);
}

static uint32_t reg_read(uint32_t offset)
{
	uint8_t data[4];
	uint32_t value;
	access(offset, data, 4, false);
	memcpy(&value, data, 4);
	return value;
}

static void check_invariants(struct virtio_mmio *t)
{
	uint32_t status = reg_read(VIRTIO_MMIO_STATUS);
	FUZZ_CHECK((reg_read(VIRTIO_MMIO_INTERRUPT_STATUS) & ~3u) == 0);
	struct virtio_mmio_counts c;
	virtio_mmio_counts(t, &c);
	FUZZ_CHECK(!(status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) || c.last_error);
	FUZZ_CHECK(c.bytes_written <= handler_bytes);
}

static void canned_setup(struct input *in, unsigned queue, bool raw)
{
	reg_write(VIRTIO_MMIO_STATUS, 0);
	reg_write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	reg_write(VIRTIO_MMIO_STATUS,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	reg_write(VIRTIO_MMIO_QUEUE_SEL, queue);
	reg_write(VIRTIO_MMIO_QUEUE_NUM, (uint32_t)take_le(in, 1));
	uint64_t std = 0x1000u + queue * 0x4000u;
	uint64_t addr[3] = {std, std + 0x1000, std + 0x2000};
	for (int i = 0; raw && i < 3; i++)
		addr[i] = take_le(in, 8);
	for (int i = 0; i < 3; i++) {
		reg_write(VIRTIO_MMIO_QUEUE_DESC_LOW + 0x10 * i, (uint32_t)addr[i]);
		reg_write(VIRTIO_MMIO_QUEUE_DESC_HIGH + 0x10 * i, (uint32_t)(addr[i] >> 32));
	}
	reg_write(VIRTIO_MMIO_QUEUE_READY, 1);
	reg_write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
					  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void put_descriptor(struct input *in, bool raw_address)
{
	unsigned index = (unsigned)take_le(in, 1) & 63;
	uint64_t addr = raw_address ? take_le(in, 8) : take_le(in, 2);
	uint32_t len = (uint32_t)take_le(in, 4);
	uint16_t flags = (uint16_t)take_le(in, 2), next = (uint16_t)take_le(in, 2);
	uint8_t *d = guest_mem_gpa_to_hva(&vm.mem, 0x1000 + 16u * index, 16);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void post(uint16_t head)
{
	uint16_t *avail = guest_mem_gpa_to_hva(&vm.mem, 0x2000, 4 + 2 * 64);
	avail[2 + avail[1] % 64] = head;
	avail[1]++;
}

static void run_op(struct input *in, uint8_t op)
{
	uint8_t data[32];
	switch (op & 7) {
	case 0: {
		uint32_t offset = 4u * (uint32_t)take_le(in, 1);
		uint32_t value = (uint32_t)take_le(in, 4);
		reg_write(offset, value);
		if (offset == VIRTIO_MMIO_STATUS && value == 0) /* 4.2.2: reset */
			FUZZ_CHECK(reg_read(VIRTIO_MMIO_STATUS) == 0 &&
				   reg_read(VIRTIO_MMIO_INTERRUPT_STATUS) == 0);
		break;
	}
	case 1:
		(void)reg_read(4u * (uint32_t)take_le(in, 1));
		break;
	case 2: {
		uint64_t offset = take_le(in, 2);
		size_t len = (size_t)take_le(in, 1) & 31;
		take_bytes(in, data, len);
		uint8_t *p = guest_mem_gpa_to_hva(&vm.mem, offset, len);
		if (p)
			memcpy(p, data, len);
		break;
	}
	case 3:
		put_descriptor(in, op & 0x80);
		break;
	case 4:
		post((uint16_t)take_le(in, 2));
		break;
	case 5:
		reg_write(VIRTIO_MMIO_QUEUE_NOTIFY, (op >> 3) & 1);
		break;
	case 6:
		canned_setup(in, (op >> 3) & 1, op & 0x10);
		break;
	case 7: {
		uint32_t size = 1u << ((op >> 3) & 3);
		uint64_t offset = take_le(in, 2) % (MINIVMM_VIRTIO_MMIO_SLOT_SIZE - size + 1);
		bool write = op & 0x20;
		memset(data, 0, sizeof data);
		if (write)
			take_bytes(in, data, size);
		access(offset, data, size, write);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *ram = aligned_alloc(4096, RAM_SIZE);
	FUZZ_CHECK(ram);
	memset(ram, 0, RAM_SIZE);
	vm_init_without_kvm(&vm);
	guest_mem_wrap(&vm.mem, ram, RAM_SIZE);
	handler_bytes = 0;
	struct vmm_error err;
	struct device_host host;
	vm_device_host(&vm, &host);
	FUZZ_CHECK(virtio_mmio_attach(&host, BASE, 5, &fuzz_device, NULL, &err) == 0);
	struct virtio_mmio *t = virtio_mmio_find(&vm.devices, "virtio-fuzz");
	FUZZ_CHECK(t);

	struct input in = {data, size, 0};
	while (in.pos < in.size) {
		uint8_t op = (uint8_t)take_le(&in, 1);
		run_op(&in, op);
		check_invariants(t);
	}
	/* Whatever happened, a reset brings the device back to its initial state. */
	reg_write(VIRTIO_MMIO_STATUS, 0);
	FUZZ_CHECK(reg_read(VIRTIO_MMIO_STATUS) == 0);
	FUZZ_CHECK(reg_read(VIRTIO_MMIO_INTERRUPT_STATUS) == 0);
	for (unsigned q = 0; q < 2; q++) {
		reg_write(VIRTIO_MMIO_QUEUE_SEL, q);
		FUZZ_CHECK(reg_read(VIRTIO_MMIO_QUEUE_READY) == 0);
	}

	vm_destroy(&vm); /* RAM is wrapped, not owned: freed below */
	free(ram);
	return 0;
}
