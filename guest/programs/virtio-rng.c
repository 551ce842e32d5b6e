/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng: a ring-3 driver for minivmm's virtio-rng device (VIRTIO 1.2 section 5.4) at
 * MINIVMM_VIRTIO_RNG_GPA. Initialises it (3.1.1), posts buffers of random-to-be bytes, rings the
 * doorbell once per round and polls the used ring (no interrupts), then prints how many bytes
 * arrived and the first 16.
 *
 * Command line: bytes=N (default 262144) and buf=N (bytes per buffer, default 4096; at most
 * 1 MiB). Exit 0 when every byte arrived and they are not all zero; 1 on a device or set-up
 * failure; 2 on a bad command line.
 *
 * The word `reboot` (for `minivmm run --reboot`) checks that a machine reset resets the device
 * (VIRTIO 1.2 section 2.4): the first boot reads as usual, then leaves the device live (DRIVER_OK,
 * queue 0 ready, InterruptStatus unacknowledged), leaves a mark in RAM the image reload does not
 * touch (the SYS_MEM_MAP area, which no one clears) and resets the machine through port 0xCF9.
 * The boot after finds the mark, checks that Status, QueueReady and InterruptStatus read 0 and
 * that a buffer posted on the old boot's ring is left alone, then sets the device up again and
 * reads as usual.
 */
#include "guest/string.h"
#include "guest/user.h"
#include "guest/virtio_driver.h"

#define EXIT_FAILED	  1
#define EXIT_USAGE	  2
#define DEFAULT_BYTES	  262144u
#define DEFAULT_BUF	  4096u
#define MAX_BUF		  (1u << 20)
#define QUEUE_SIZE	  64u
#define RING_AREA	  0x10000u /* rings first, then the buffers */
#define WAIT_TSC	  20000000000ull
#define VIRTIO_ID_ENTROPY 4u
/* `reboot`: the mark and the stale-ring buffer sit between the rings (16 KiB) and the data. */
#define BOOT_MARK_OFFSET    0x8000u
#define BOOT_MARK	    0x4445544f4f424552ull /* "REBOOTED" in RAM (little-endian) */
#define STALE_BUFFER_OFFSET 0x9000u
#define STALE_BUFFER_BYTES  64u
#define STALE_WAIT_TSC	    200000000ull /* how long a stale ring is watched: ~0.1 s */
#define RESET_CONTROL_PORT  0xcf9
#define RESET_CONTROL_RESET 0x06 /* SYS_RST | RST_CPU: a hard reset (guest/kernel/platform.c) */

struct options {
	uint64_t bytes, buf;
	int reboot;
};

static int parse_number(const char *text, uint64_t *out)
{
	uint64_t value = 0;
	if (!*text)
		return -1;
	for (; *text; text++) {
		if (*text < '0' || *text > '9' || value > (UINT64_MAX - 9) / 10)
			return -1;
		value = value * 10 + (uint64_t)(*text - '0');
	}
	*out = value;
	return 0;
}

/* Words "bytes=N", "buf=N" and "reboot" separated by spaces; anything else is an error. */
static int parse_cmdline(char *p, struct options *opt)
{
	while (*p) {
		while (*p == ' ')
			p++;
		char *word = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
		if (!*word)
			break;
		if (strncmp(word, "bytes=", 6) == 0 && parse_number(word + 6, &opt->bytes) == 0)
			continue;
		if (strncmp(word, "buf=", 4) == 0 && parse_number(word + 4, &opt->buf) == 0)
			continue;
		if (strcmp(word, "reboot") == 0) {
			opt->reboot = 1;
			continue;
		}
		printf("virtio-rng: bad word '%s' (known: bytes=N buf=N reboot)\n", word);
		return -1;
	}
	if (opt->bytes == 0 || opt->buf == 0 || opt->buf > MAX_BUF || opt->bytes > (1ull << 30)) {
		print("virtio-rng: bytes must be 1..1 GiB, buf 1..1 MiB\n");
		return -1;
	}
	return 0;
}

static int probe(const struct vdrv *d)
{
	uint32_t magic = vdrv_read(d, VDRV_MAGIC), version = vdrv_read(d, VDRV_VERSION);
	uint32_t id = vdrv_read(d, VDRV_DEVICE_ID);
	printf("virtio-rng: device at 0x%lx: magic 0x%x, version %u, device id %u\n",
	       (unsigned long)d->base, magic, version, id);
	if (magic != 0x74726976u || version != 2 || id != VIRTIO_ID_ENTROPY) {
		print("virtio-rng: not a modern virtio entropy device\n");
		return -1;
	}
	return 0;
}

/* Posts one round of up to QUEUE_SIZE buffers for [data, data + bytes), rings the doorbell once
 * and waits for them. Returns the bytes the device wrote, or -1. */
static int64_t read_round(struct vdrv *d, uint8_t *data, uint64_t bytes, uint64_t buf)
{
	uint16_t first = d->avail_idx, count = 0;
	for (uint64_t off = 0; off < bytes; off += buf, count++) {
		uint16_t slot = (uint16_t)((first + count) & (d->qsize - 1));
		uint64_t len = bytes - off < buf ? bytes - off : buf;
		d->desc[slot] = (struct vdrv_desc){(uint64_t)(uintptr_t)(data + off), (uint32_t)len,
						   VDRV_DESC_F_WRITE, 0};
		vdrv_post(d, slot);
	}
	vdrv_write(d, VDRV_QUEUE_NOTIFY, 0);
	if (vdrv_wait_used(d, d->avail_idx, WAIT_TSC)) {
		printf("virtio-rng: the device used %u of %u buffers (status 0x%x)\n",
		       (unsigned)(uint16_t)(vdrv_used_idx(d) - first), count,
		       vdrv_read(d, VDRV_STATUS));
		return -1;
	}
	int64_t got = 0;
	for (uint16_t i = 0; i < count; i++)
		got += vdrv_used_len(d, (uint16_t)(first + i));
	return got;
}

/* 3.1.1: features, queue 0 in the ring area, DRIVER_OK. Returns 0 or -1. */
static int set_up_device(struct vdrv *d, uint8_t *ring_area)
{
	if (vdrv_negotiate(d)) {
		print("virtio-rng: the device refused FEATURES_OK\n");
		return -1;
	}
	uint16_t qsize = QUEUE_SIZE;
	uint32_t num_max = vdrv_read(d, VDRV_QUEUE_NUM_MAX);
	while (qsize > num_max)
		qsize /= 2;
	if (qsize == 0) {
		print("virtio-rng: the device has no queue 0\n");
		return -1;
	}
	vdrv_layout(d, ring_area, qsize);
	vdrv_setup_own_queue(d);
	vdrv_driver_ok(d);
	return 0;
}

/* Reads opt->bytes into data and reports them. Returns 0 when all arrived and are not all zero.
 * Leaves InterruptStatus set for the caller to acknowledge. */
static int read_all(struct vdrv *d, uint8_t *data, const struct options *opt)
{
	uint64_t got = 0, rounds = 0, per_round = opt->buf * d->qsize;
	while (got < opt->bytes) {
		uint64_t want = opt->bytes - got < per_round ? opt->bytes - got : per_round;
		int64_t n = read_round(d, data + got, want, opt->buf);
		if (n < 0)
			return -1;
		got += (uint64_t)n;
		rounds++;
		if ((uint64_t)n < want)
			break;
	}
	printf("virtio-rng: read %lu bytes in %lu buffers of %lu, %lu notifies, interrupt status "
	       "0x%x\n",
	       (unsigned long)got, (unsigned long)((opt->bytes + opt->buf - 1) / opt->buf),
	       (unsigned long)opt->buf, (unsigned long)rounds, vdrv_read(d, VDRV_INTERRUPT_STATUS));
	print("virtio-rng: first 16:");
	for (int i = 0; i < 16 && (uint64_t)i < got; i++)
		printf(" %02x", data[i]);
	print("\n");
	uint8_t any = 0;
	for (uint64_t i = 0; i < got; i++)
		any |= data[i];
	if (got != opt->bytes || !any) {
		printf("virtio-rng: FAILED: %s\n",
		       got != opt->bytes ? "bytes missing" : "all zero");
		return -1;
	}
	return 0;
}

static void spin_tsc(uint64_t cycles)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t start = ((uint64_t)hi << 32) | lo, now = start;
	while (now - start < cycles) {
		__asm__ volatile("pause");
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		now = ((uint64_t)hi << 32) | lo;
	}
}

/* The boot after `reboot`: the device must be as a reset leaves it (2.4.1: Status 0; 4.2.2:
 * QueueReady 0, nothing in InterruptStatus), and must not use a buffer posted on the old boot's
 * ring, still in RAM, before a driver sets it up again. Returns 0 if so. */
static int check_reset_device(struct vdrv *d, uint8_t *ring_area)
{
	vdrv_write(d, VDRV_QUEUE_SEL, 0);
	uint32_t status = vdrv_read(d, VDRV_STATUS), ready = vdrv_read(d, VDRV_QUEUE_READY);
	uint32_t isr = vdrv_read(d, VDRV_INTERRUPT_STATUS);
	printf("virtio-rng: after the reset: status 0x%x, queue ready %u, interrupt status 0x%x\n",
	       status, ready, isr);
	/* The old boot's queue, exactly as it left it: post one more buffer there and ring. */
	uint16_t qsize = QUEUE_SIZE;
	while (qsize > vdrv_read(d, VDRV_QUEUE_NUM_MAX))
		qsize /= 2;
	struct vdrv old = {.base = d->base, .qsize = qsize};
	old.desc = (struct vdrv_desc *)(void *)ring_area;
	old.avail = (uint16_t *)(void *)(ring_area + 0x1000);
	old.used = ring_area + 0x2000;
	old.avail_idx = old.avail[1];
	uint16_t used_before = vdrv_used_idx(&old);
	uint16_t slot = (uint16_t)(old.avail_idx & (qsize - 1));
	uint8_t *stale_buffer = ring_area + STALE_BUFFER_OFFSET;
	memset(stale_buffer, 0, STALE_BUFFER_BYTES);
	old.desc[slot] = (struct vdrv_desc){(uint64_t)(uintptr_t)stale_buffer, STALE_BUFFER_BYTES,
					    VDRV_DESC_F_WRITE, 0};
	vdrv_post(&old, slot);
	vdrv_write(d, VDRV_QUEUE_NOTIFY, 0);
	spin_tsc(STALE_WAIT_TSC); /* the device's worker answers in microseconds when it does */
	uint8_t any = 0;
	for (unsigned i = 0; i < STALE_BUFFER_BYTES; i++)
		any |= stale_buffer[i];
	int stale_used = vdrv_used_idx(&old) != used_before || any;
	printf("virtio-rng: stale ring %s\n",
	       stale_used ? "USED: the device kept the old queue" : "left alone");
	if (status || ready || isr || stale_used) {
		print("virtio-rng: FAILED: the device survived the machine reset\n");
		return -1;
	}
	return 0;
}

int main(void)
{
	static struct minivmm_boot_info info;
	struct options opt = {.bytes = DEFAULT_BYTES, .buf = DEFAULT_BUF};
	if (get_boot_info(&info, sizeof info) != (int64_t)sizeof info)
		return EXIT_FAILED;
	info.cmdline[MINIVMM_CMDLINE_MAX - 1] = '\0';
	if (parse_cmdline(info.cmdline, &opt))
		return EXIT_USAGE;

	struct vdrv d = {.base = MINIVMM_VIRTIO_RNG_GPA};
	int64_t ram = mem_map(RING_AREA + opt.bytes);
	if (mmio_map(MINIVMM_VIRTIO_RNG_GPA) < 0 || ram < 0) {
		print("virtio-rng: the kernel refused the mappings (give more RAM with -m)\n");
		return EXIT_FAILED;
	}
	uint8_t *ring_area = (uint8_t *)(uintptr_t)ram, *data = ring_area + RING_AREA;
	volatile uint64_t *boot_mark = (volatile uint64_t *)(void *)(ring_area + BOOT_MARK_OFFSET);
	int rebooted = opt.reboot && *boot_mark == BOOT_MARK;
	*boot_mark = 0; /* a later reset starts from a first boot again */
	if (probe(&d))
		return EXIT_FAILED;
	if (rebooted && check_reset_device(&d, ring_area))
		return EXIT_FAILED;
	if (set_up_device(&d, ring_area) || read_all(&d, data, &opt))
		return EXIT_FAILED;
	if (opt.reboot && !rebooted) {
		/* No Status = 0 and no acknowledgement: only the machine reset may clean up. */
		*boot_mark = BOOT_MARK;
		print("virtio-rng: resetting the machine (port 0xCF9) with the device live\n");
		port_write(RESET_CONTROL_PORT, 1, RESET_CONTROL_RESET);
		print("virtio-rng: FAILED: the machine did not reset (run with --reboot)\n");
		return EXIT_FAILED;
	}
	uint32_t isr = vdrv_read(&d, VDRV_INTERRUPT_STATUS);
	vdrv_write(&d, VDRV_INTERRUPT_ACK, isr);
	vdrv_write(&d, VDRV_STATUS, 0);
	print("virtio-rng: ok\n");
	return 0;
}
