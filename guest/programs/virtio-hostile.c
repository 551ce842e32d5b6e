/* SPDX-License-Identifier: MIT */
/*
 * virtio-hostile: a malicious virtio driver (issue 6). Against the virtio-rng device it builds
 * queues and descriptor chains that no honest driver would: buffers outside RAM or wrapping past
 * 2^64, chains that loop, indices past the queue size, indirect tables never offered, rings in the
 * MMIO hole or misaligned. For each case the device must refuse the request by setting
 * DEVICE_NEEDS_RESET (status bit 64, VIRTIO 1.2 section 2.1.2) and raising the configuration
 * interrupt bit, use no buffer, and come back after a reset (Status = 0).
 *
 * Buffers in the VMM's boot pages (below 0x10000) are guest RAM: the device serves them (here 16
 * bytes at page 0, which nothing uses). Clobbering them is the guest's own business, as with DMA.
 * Last, an honest request checks that the device still works. Exit 0 if every case went as
 * expected, 1 otherwise; one line per case.
 */
#include "guest/string.h"
#include "guest/user.h"
#include "guest/virtio_driver.h"

#define QUEUE_SIZE 16u
#define WAIT_TSC   5000000000ull
#define BUF_OFFSET 0x10000u

static struct vdrv d = {.base = MINIVMM_VIRTIO_RNG_GPA};
static uint8_t *ring_area, *buffer; /* guest-physical = virtual */
static uint64_t ram_size;
static int failures;

/* A fresh device with queue 0 at the usual areas (or none, if the case sets up its own). */
static int start(int with_queue)
{
	vdrv_layout(&d, ring_area, QUEUE_SIZE);
	if (vdrv_negotiate(&d)) {
		print("virtio-hostile: the device refused FEATURES_OK after a reset\n");
		failures++;
		return -1;
	}
	if (with_queue) {
		vdrv_setup_own_queue(&d);
		vdrv_driver_ok(&d);
	}
	return 0;
}

static uint64_t gpa(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Waits a little for the worker thread (the doorbell is asynchronous) to react. */
static uint32_t settle(void)
{
	uint32_t status = 0;
	for (int i = 0; i < 2000; i++) {
		status = vdrv_read(&d, VDRV_STATUS);
		if ((status & VDRV_S_NEEDS_RESET) || vdrv_used_idx(&d) != 0)
			break;
		for (int j = 0; j < 1000; j++)
			__asm__ volatile("pause");
	}
	return status;
}

/* The verdict: refused means NEEDS_RESET set, the config interrupt bit up, no buffer used; then
 * a reset must clear it all. */
static void expect_refused(const char *name)
{
	uint32_t status = settle();
	uint32_t isr = vdrv_read(&d, VDRV_INTERRUPT_STATUS);
	int ok = (status & VDRV_S_NEEDS_RESET) && (isr & 2u) && vdrv_used_idx(&d) == 0;
	vdrv_write(&d, VDRV_STATUS, 0);
	ok = ok && vdrv_read(&d, VDRV_STATUS) == 0 && vdrv_read(&d, VDRV_INTERRUPT_STATUS) == 0;
	printf("virtio-hostile: %-34s %s (status 0x%x, interrupt 0x%x)\n", name,
	       ok ? "refused" : "NOT REFUSED", status, isr);
	failures += !ok;
}

/* Posts a chain of n writable descriptors, descriptor i at (addr[i], len[i]) linked i -> i+1. */
static void post_chain(unsigned n, const uint64_t *addr, const uint32_t *len, uint16_t extra_flags)
{
	for (unsigned i = 0; i < n; i++)
		d.desc[i] = (struct vdrv_desc){addr[i], len[i],
					       (uint16_t)(VDRV_DESC_F_WRITE | extra_flags |
							  (i + 1 < n ? VDRV_DESC_F_NEXT : 0)),
					       (uint16_t)(i + 1)};
	vdrv_post(&d, 0);
	vdrv_write(&d, VDRV_QUEUE_NOTIFY, 0);
}

static void one_buffer(const char *name, uint64_t addr, uint32_t len)
{
	if (start(1))
		return;
	post_chain(1, &addr, &len, 0);
	expect_refused(name);
}

static void chain_loop(const char *name, uint16_t back_to)
{
	if (start(1))
		return;
	d.desc[0] = (struct vdrv_desc){gpa(buffer), 64, VDRV_DESC_F_WRITE | VDRV_DESC_F_NEXT, 1};
	d.desc[1] =
	    (struct vdrv_desc){gpa(buffer) + 64, 64, VDRV_DESC_F_WRITE | VDRV_DESC_F_NEXT, back_to};
	vdrv_post(&d, 0);
	vdrv_write(&d, VDRV_QUEUE_NOTIFY, 0);
	expect_refused(name);
}

static void bad_head(void)
{
	if (start(1))
		return;
	d.desc[0] = (struct vdrv_desc){gpa(buffer), 64, VDRV_DESC_F_WRITE, 0};
	vdrv_post(&d, 1000);
	vdrv_write(&d, VDRV_QUEUE_NOTIFY, 0);
	expect_refused("head index past the queue");
}

static void avail_index_jump(void)
{
	if (start(1))
		return;
	d.desc[0] = (struct vdrv_desc){gpa(buffer), 64, VDRV_DESC_F_WRITE, 0};
	__atomic_store_n(&d.avail[1], (uint16_t)(QUEUE_SIZE + 3), __ATOMIC_RELEASE);
	vdrv_write(&d, VDRV_QUEUE_NOTIFY, 0);
	expect_refused("available index > queue size ahead");
}

static void readable_after_writable(void)
{
	if (start(1))
		return;
	d.desc[0] = (struct vdrv_desc){gpa(buffer), 64, VDRV_DESC_F_WRITE | VDRV_DESC_F_NEXT, 1};
	d.desc[1] = (struct vdrv_desc){gpa(buffer) + 64, 64, 0, 0};
	vdrv_post(&d, 0);
	vdrv_write(&d, VDRV_QUEUE_NOTIFY, 0);
	expect_refused("readable after writable");
}

/* Enough descriptors over the RAM above 2 MiB to pass 4 GiB in total. */
static void total_over_4gib(void)
{
	uint64_t len = ram_size - (2u << 20);
	uint64_t n = ((1ull << 32) + len - 1) / len + 1;
	if (len > UINT32_MAX)
		len = UINT32_MAX, n = 3;
	if (n > QUEUE_SIZE) {
		printf("virtio-hostile: %-34s skipped (needs -m 512M)\n", "chain total over 4 GiB");
		return;
	}
	uint64_t addr[QUEUE_SIZE];
	uint32_t lens[QUEUE_SIZE];
	for (unsigned i = 0; i < n; i++)
		addr[i] = 2u << 20, lens[i] = (uint32_t)len;
	if (start(1))
		return;
	post_chain((unsigned)n, addr, lens, 0);
	expect_refused("chain total over 4 GiB");
}

static void queue_at(const char *name, uint64_t desc, uint64_t avail, uint64_t used, uint32_t num)
{
	if (start(0))
		return;
	vdrv_setup_queue(&d, desc, avail, used, num);
	vdrv_driver_ok(&d);
	expect_refused(name);
}

static void reserved_page_is_served(void)
{
	if (start(1))
		return;
	uint64_t addr = 0;
	uint32_t len = 16;
	post_chain(1, &addr, &len, 0);
	int ok = vdrv_wait_used(&d, 1, WAIT_TSC) == 0 && vdrv_used_len(&d, 0) == 16 &&
		 !(vdrv_read(&d, VDRV_STATUS) & VDRV_S_NEEDS_RESET);
	vdrv_write(&d, VDRV_STATUS, 0);
	printf("virtio-hostile: %-34s %s\n", "buffer in the boot pages (0x0)",
	       ok ? "served (guest RAM)" : "NOT SERVED");
	failures += !ok;
}

static void honest_request(void)
{
	if (start(1))
		return;
	uint64_t addr = gpa(buffer);
	uint32_t len = 256;
	memset(buffer, 0, 256);
	post_chain(1, &addr, &len, 0);
	int ok = vdrv_wait_used(&d, 1, WAIT_TSC) == 0 && vdrv_used_len(&d, 0) == 256;
	vdrv_write(&d, VDRV_STATUS, 0);
	printf("virtio-hostile: %-34s %s\n", "honest request after all that",
	       ok ? "served" : "FAILED");
	failures += !ok;
}

int main(void)
{
	static struct minivmm_boot_info info;
	if (get_boot_info(&info, sizeof info) != (int64_t)sizeof info)
		return 1;
	ram_size = info.ram_size;
	int64_t ram = mem_map(BUF_OFFSET + 0x1000);
	if (mmio_map(MINIVMM_VIRTIO_RNG_GPA) < 0 || ram < 0) {
		print("virtio-hostile: the kernel refused the mappings\n");
		return 1;
	}
	ring_area = (uint8_t *)(uintptr_t)ram;
	buffer = ring_area + BUF_OFFSET;
	uint64_t rings = gpa(ring_area);

	one_buffer("buffer past the end of RAM", ram_size - 8, 16);
	one_buffer("buffer in the MMIO window", MINIVMM_VIRTIO_RNG_GPA, 16);
	one_buffer("address + length wraps 2^64", 0xfffffffffffff000ull, 0x2000);
	one_buffer("address far above 4 GiB", 1ull << 40, 4096);
	chain_loop("chain loops (0 -> 1 -> 0)", 0);
	chain_loop("chain loops (1 -> 1)", 1);
	chain_loop("next index past the queue", QUEUE_SIZE + 5);
	bad_head();
	avail_index_jump();
	readable_after_writable();
	if (start(1) == 0) {
		uint64_t a = gpa(buffer);
		uint32_t l = 64;
		post_chain(1, &a, &l, VDRV_DESC_F_INDIRECT);
		expect_refused("indirect descriptor (not offered)");
	}
	total_over_4gib();
	queue_at("descriptor table outside RAM", ram_size, rings + 0x1000, rings + 0x2000,
		 QUEUE_SIZE);
	queue_at("used ring in the MMIO window", rings, rings + 0x1000, 0xd0000000ull, QUEUE_SIZE);
	queue_at("used ring wraps 2^64", rings, rings + 0x1000, 0xfffffffffffffffcull, QUEUE_SIZE);
	queue_at("descriptor table misaligned", rings + 8, rings + 0x1000, rings + 0x2000,
		 QUEUE_SIZE);
	queue_at("queue size not a power of two", rings, rings + 0x1000, rings + 0x2000, 3);
	queue_at("queue size above QueueNumMax", rings, rings + 0x1000, rings + 0x2000, 1024);
	queue_at("queue size 0", rings, rings + 0x1000, rings + 0x2000, 0);
	reserved_page_is_served();
	honest_request();
	printf("virtio-hostile: %s (%d unexpected)\n",
	       failures ? "FAILED" : "all refused as expected", failures);
	return failures ? 1 : 0;
}
