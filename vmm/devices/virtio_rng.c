/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng (VIRTIO 1.2 section 5.4, device ID 4): one request queue; the device fills each
 * device-writable buffer the driver posts with bytes from the host's getrandom(2). No features,
 * no configuration space. A chain with no writable buffer is returned with 0 bytes written.
 *
 * At MINIVMM_VIRTIO_RNG_GPA, interrupt MINIVMM_VIRTIO_RNG_IRQ (include/minivmm/boot_abi.h); the
 * transport and queues are vmm/virtio/.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "devices/devices.h"
#include "minivmm/boot_abi.h"
#include "virtio/virtio_mmio.h"

#define VIRTIO_ID_ENTROPY 4
#define RNG_QUEUE_SIZE	  256

/* Fills buf with random bytes; returns how many it managed (all, unless getrandom fails). */
static uint64_t fill_random(uint8_t *buf, uint64_t len)
{
	uint64_t done = 0;
	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (uint64_t)n;
	}
	return done;
}

/* 5.4.6: "the device MUST place one or more random bytes into the buffer". */
static int64_t rng_handle_chain(void *dev, unsigned queue, const struct virtq_chain *chain)
{
	(void)dev, (void)queue;
	uint64_t written = 0;
	for (unsigned i = 0; i < chain->count; i++) {
		const struct virtq_buffer *b = &chain->buffers[i];
		if (!b->device_writable)
			continue;
		uint64_t n = fill_random(b->hva, b->len);
		written += n;
		if (n < b->len)
			break;
	}
	return (int64_t)written;
}

static const struct virtio_device_ops virtio_rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_ENTROPY,
    .features = 0,
    .queue_count = 1,
    .queue_num_max = RNG_QUEUE_SIZE,
    .handle_chain = rng_handle_chain,
};

static int virtio_rng_attach(const struct device_host *host, struct vmm_error *err)
{
	return virtio_mmio_attach(host, MINIVMM_VIRTIO_RNG_GPA, MINIVMM_VIRTIO_RNG_IRQ,
				  &virtio_rng_ops, NULL, err);
}

const struct device_module virtio_rng_module = {"virtio-rng", virtio_rng_attach};
