/* SPDX-License-Identifier: MIT */
/*
 * What uart8250.c (the registers) and uart8250_snapshot.c (their saved form) share: the register
 * bits of the PC16550D datasheet's section 8, which both decode, and the two helpers a load needs
 * to rebuild what the registers imply. Not for device files: they use uart8250.h.
 */
#ifndef MINIVMM_UART8250_INTERNAL_H
#define MINIVMM_UART8250_INTERNAL_H

#include <stdint.h>

#include "devices/uart8250.h"

#define IER_RX_DATA	   0x01 /* received data available */
#define IER_THR_EMPTY	   0x02 /* transmitter holding register empty */
#define IER_RX_LINE_STATUS 0x04 /* receiver line status (overrun here) */
#define IER_MODEM_STATUS   0x08
#define IER_WRITABLE	   0x0f /* bits 4-7 are always 0 (8.5) */

#define IIR_NO_INTERRUPT   0x01
#define IIR_MODEM_STATUS   0x00
#define IIR_THR_EMPTY	   0x02
#define IIR_RX_DATA	   0x04
#define IIR_RX_LINE_STATUS 0x06
#define IIR_FIFOS_ENABLED  0xc0 /* bits 6-7 are set when FCR bit 0 is (8.6) */

#define FCR_FIFO_ENABLE 0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04
#define FCR_STORED_BITS 0xc9 /* trigger level (6-7), DMA mode (3), enable (0) */

#define LCR_DLAB 0x80 /* divisor latch access bit (8.2) */

#define MCR_DTR	     0x01
#define MCR_RTS	     0x02
#define MCR_OUT1     0x04
#define MCR_OUT2     0x08 /* on a PC, gates the UART's interrupt onto the IRQ line */
#define MCR_LOOPBACK 0x10
#define MCR_WRITABLE 0x1f /* bits 5-7 are always 0 (8.7) */

#define LSR_DATA_READY 0x01
#define LSR_OVERRUN    0x02
#define LSR_THR_EMPTY  0x20
#define LSR_TX_EMPTY   0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI	0x40
#define MSR_DCD 0x80
/* Outside loopback a console is always "connected": clear to send, data set ready, carrier. */
#define MSR_CONNECTED (MSR_CTS | MSR_DSR | MSR_DCD)

/* MSR's modem status lines for this MCR (uart8250.c): connected, or MCR's outputs in loopback. */
uint8_t uart8250_modem_status_lines(uint8_t mcr);

/* Brings the interrupt line in line with the registers, telling the backend if it changed
 * (uart8250.c). With uart->lock held. */
void uart8250_update_irq(struct uart8250 *uart);

#endif
