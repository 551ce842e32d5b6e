/* SPDX-License-Identifier: MIT */
/*
 * The 16550A UART in a snapshot (docs/snapshot.md): its registers, the divisor latch and the
 * receive FIFO as fixed-width bytes, and back. The layout is part of the file format, so it sits
 * apart from the register model (uart8250.c), which can change without changing it.
 *
 * A load takes only registers the chip could have reached (PC16550D section 8), so a damaged or
 * forged file cannot put the model in a state no guest could produce; the interrupt line is then
 * set from the registers, as an access would set it.
 */
#include <errno.h>
#include <string.h>

#include "devices/uart8250_internal.h"

/* The saved state (docs/snapshot.md): registers, the divisor and the receive FIFO from its head. */
struct uart8250_saved {
	uint8_t ier, iir_fifo_bits, fcr, lcr, mcr, lsr_errors, msr, scr;
	uint16_t divisor;
	uint8_t thr_empty_pending, rx_count;
	uint8_t rx_fifo[UART8250_RX_FIFO_SIZE];
	uint32_t reserved;
	uint64_t rx_overruns;
};
_Static_assert(sizeof(struct uart8250_saved) == 40, "the saved layout is part of the format");

size_t uart8250_save(struct uart8250 *uart, void *buf)
{
	struct uart8250_saved s = {0};
	pthread_mutex_lock(&uart->lock);
	s.ier = uart->ier, s.iir_fifo_bits = uart->iir_fifo_bits, s.fcr = uart->fcr;
	s.lcr = uart->lcr, s.mcr = uart->mcr, s.lsr_errors = uart->lsr_errors;
	s.msr = uart->msr, s.scr = uart->scr, s.divisor = uart->divisor;
	s.thr_empty_pending = uart->thr_empty_pending;
	s.rx_count = (uint8_t)uart->rx_count;
	for (unsigned i = 0; i < uart->rx_count; i++)
		s.rx_fifo[i] = uart->rx_fifo[(uart->rx_head + i) % UART8250_RX_FIFO_SIZE];
	s.rx_overruns = uart->rx_overruns;
	pthread_mutex_unlock(&uart->lock);
	memcpy(buf, &s, sizeof s);
	return sizeof s;
}

/* Could the registers have come from uart8250_save? Bits the chip keeps at 0 are 0, FCR holds
 * its other bits only with bit 0 (8.4), IIR's FIFO bits follow FCR bit 0, the modem status is what
 * MCR makes it (no deltas here), and overrun is the only line error. Anything else is a damaged or
 * forged snapshot. */
static bool registers_reachable(const struct uart8250_saved *s)
{
	uint8_t fifo_bits = s->fcr & FCR_FIFO_ENABLE ? IIR_FIFOS_ENABLED : 0;
	return !(s->ier & ~IER_WRITABLE) && !(s->mcr & ~MCR_WRITABLE) &&
	       !(s->fcr & ~FCR_STORED_BITS) && (s->fcr == 0 || (s->fcr & FCR_FIFO_ENABLE)) &&
	       s->iir_fifo_bits == fifo_bits && s->msr == uart8250_modem_status_lines(s->mcr) &&
	       !(s->lsr_errors & ~LSR_OVERRUN);
}

int uart8250_load(struct uart8250 *uart, const void *buf, size_t len)
{
	struct uart8250_saved s;
	if (len != sizeof s)
		return -EINVAL;
	memcpy(&s, buf, sizeof s);
	if (s.thr_empty_pending > 1 || s.rx_count > UART8250_RX_FIFO_SIZE || s.reserved ||
	    !registers_reachable(&s))
		return -EINVAL;
	pthread_mutex_lock(&uart->lock);
	uart->ier = s.ier, uart->iir_fifo_bits = s.iir_fifo_bits, uart->fcr = s.fcr;
	uart->lcr = s.lcr, uart->mcr = s.mcr, uart->lsr_errors = s.lsr_errors;
	uart->msr = s.msr, uart->scr = s.scr, uart->divisor = s.divisor;
	uart->thr_empty_pending = s.thr_empty_pending;
	memcpy(uart->rx_fifo, s.rx_fifo, sizeof s.rx_fifo);
	uart->rx_head = 0;
	uart->rx_count = s.rx_count;
	uart->rx_overruns = s.rx_overruns;
	uart8250_update_irq(uart); /* the line as the registers say (a new VM starts it low) */
	pthread_mutex_unlock(&uart->lock);
	return 0;
}
