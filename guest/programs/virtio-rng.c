/*
 * virtio-rng: a ring-3 driver for minivmm's virtio-rng device (VIRTIO 1.2 section 5.4) at
 * MINIVMM_VIRTIO_RNG_GPA. Initialises it (3.1.1), posts buffers of random-to-be bytes, rings the
 * doorbell once per round and polls the used ring (no interrupts), then prints how many bytes
 * arrived and the first 16.
 *
 * Command line: bytes=N (default 262144) and buf=N (bytes per buffer, default 4096; at most
 * 1 MiB). Exit 0 when every byte arrived and they are not all zero; 1 on a device or set-up
 * failure; 2 on a bad command line.
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

/* Words "bytes=N" and "buf=N" separated by spaces; anything else is an error. */
static int parse_cmdline(char *p, uint64_t *bytes, uint64_t *buf)
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
		if (strncmp(word, "bytes=", 6) == 0 && parse_number(word + 6, bytes) == 0)
			continue;
		if (strncmp(word, "buf=", 4) == 0 && parse_number(word + 4, buf) == 0)
			continue;
		printf("virtio-rng: bad word '%s' (known: bytes=N buf=N)\n", word);
		return -1;
	}
	if (*bytes == 0 || *buf == 0 || *buf > MAX_BUF || *bytes > (1ull << 30)) {
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

int main(void)
{
	static struct minivmm_boot_info info;
	uint64_t bytes = DEFAULT_BYTES, buf = DEFAULT_BUF;
	if (get_boot_info(&info, sizeof info) != (int64_t)sizeof info)
		return EXIT_FAILED;
	info.cmdline[MINIVMM_CMDLINE_MAX - 1] = '\0';
	if (parse_cmdline(info.cmdline, &bytes, &buf))
		return EXIT_USAGE;

	struct vdrv d = {.base = MINIVMM_VIRTIO_RNG_GPA};
	int64_t ram = mem_map(RING_AREA + bytes);
	if (mmio_map(MINIVMM_VIRTIO_RNG_GPA) < 0 || ram < 0) {
		print("virtio-rng: the kernel refused the mappings (give more RAM with -m)\n");
		return EXIT_FAILED;
	}
	if (probe(&d))
		return EXIT_FAILED;
	if (vdrv_negotiate(&d)) {
		print("virtio-rng: the device refused FEATURES_OK\n");
		return EXIT_FAILED;
	}
	uint16_t qsize = QUEUE_SIZE;
	uint32_t num_max = vdrv_read(&d, VDRV_QUEUE_NUM_MAX);
	while (qsize > num_max)
		qsize /= 2;
	if (qsize == 0) {
		print("virtio-rng: the device has no queue 0\n");
		return EXIT_FAILED;
	}
	vdrv_layout(&d, (uint8_t *)(uintptr_t)ram, qsize);
	vdrv_setup_own_queue(&d);
	vdrv_driver_ok(&d);

	uint8_t *data = (uint8_t *)(uintptr_t)(ram + RING_AREA);
	uint64_t got = 0, rounds = 0, per_round = buf * qsize;
	while (got < bytes) {
		uint64_t want = bytes - got < per_round ? bytes - got : per_round;
		int64_t n = read_round(&d, data + got, want, buf);
		if (n < 0)
			return EXIT_FAILED;
		got += (uint64_t)n;
		rounds++;
		if ((uint64_t)n < want)
			break;
	}
	uint32_t isr = vdrv_read(&d, VDRV_INTERRUPT_STATUS);
	vdrv_write(&d, VDRV_INTERRUPT_ACK, isr);
	printf("virtio-rng: read %lu bytes in %lu buffers of %lu, %lu notifies, interrupt status "
	       "0x%x\n",
	       (unsigned long)got, (unsigned long)((bytes + buf - 1) / buf), (unsigned long)buf,
	       (unsigned long)rounds, isr);
	print("virtio-rng: first 16:");
	for (int i = 0; i < 16 && (uint64_t)i < got; i++)
		printf(" %02x", data[i]);
	print("\n");
	uint8_t any = 0;
	for (uint64_t i = 0; i < got; i++)
		any |= data[i];
	vdrv_write(&d, VDRV_STATUS, 0);
	if (got != bytes || !any) {
		printf("virtio-rng: FAILED: %s\n", got != bytes ? "bytes missing" : "all zero");
		return EXIT_FAILED;
	}
	print("virtio-rng: ok\n");
	return 0;
}
