/* SPDX-License-Identifier: MIT */
/*
 * An 8250/16550A UART (National Semiconductor PC16550D datasheet), as found at COM1 (0x3f8) on a
 * PC. Eight registers, with the divisor latch behind LCR.DLAB; a 16-byte receive FIFO fed by the
 * host (console input) and a transmitter that hands each byte to the host at once, so THR is
 * always empty (LSR.THRE and LSR.TEMT read as 1).
 */
#ifndef MINIVMM_UART8250_H
#define MINIVMM_UART8250_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/bus.h"

#define UART8250_REGISTER_COUNT 8
#define UART8250_RX_FIFO_SIZE	16

struct uart8250_backend {
	/* A byte the guest transmitted. */
	void (*transmit)(void *ctx, uint8_t byte);
	/* The interrupt line changed level (optional: NULL in polled mode). */
	void (*set_irq)(void *ctx, bool asserted);
	void *ctx;
};

struct uart8250 {
	struct uart8250_backend backend;
	pthread_mutex_t lock; /* input arrives from the console thread */
	uint8_t ier, iir_fifo_bits, fcr, lcr, mcr, lsr_errors, msr, scr;
	uint16_t divisor;
	bool thr_empty_pending; /* THRE interrupt not yet acknowledged by reading IIR */
	bool irq_asserted;
	uint8_t rx_fifo[UART8250_RX_FIFO_SIZE];
	unsigned rx_head, rx_count;
	uint64_t rx_overruns;
};

void uart8250_init(struct uart8250 *uart, const struct uart8250_backend *backend);
void uart8250_destroy(struct uart8250 *uart);

/* Master Reset (a platform reset): the registers and FIFOs back to their power-on values and the
 * interrupt line lowered (backend.set_irq(false) if it was raised). The backend stays.
 * Thread-safe. */
void uart8250_reset(struct uart8250 *uart);

/* Snapshot (docs/snapshot.md, uart8250_snapshot.c): the registers and the receive FIFO as
 * fixed-width bytes (at most 64), and back: -EINVAL when the bytes do not fit, nothing taken.
 * Thread-safe. */
size_t uart8250_save(struct uart8250 *uart, void *buf);
int uart8250_load(struct uart8250 *uart, const void *buf, size_t len);

/* Register access; offset is 0..7 from the base port. Only 1-byte accesses are meaningful:
 * wider ones are split into bytes at consecutive offsets (within the 8 registers). */
void uart8250_read(void *uart, uint64_t offset, uint8_t *data, uint32_t len);
void uart8250_write(void *uart, uint64_t offset, const uint8_t *data, uint32_t len);

/* Host side: queues received bytes. Returns how many fit into the FIFO, none in loopback (the
 * rest stay with the caller, who retries later). Thread-safe. */
unsigned uart8250_receive(struct uart8250 *uart, const uint8_t *bytes, unsigned count);

/* Free space in the receive FIFO for the host: 0 in loopback. Thread-safe. */
unsigned uart8250_rx_space(struct uart8250 *uart);

extern const struct bus_device_ops uart8250_bus_ops;

#endif
