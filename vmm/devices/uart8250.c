/* SPDX-License-Identifier: MIT */
/*
 * 8250/16550A UART model. Register behaviour follows the National Semiconductor PC16550D datasheet
 * ("PC16550D Universal Asynchronous Receiver/Transmitter with FIFOs"); section numbers below refer
 * to its section 8, "Registers".
 *
 * Deliberate simplifications, all invisible to a well-behaved driver:
 * - The transmitter is infinitely fast: a THR write reaches backend.transmit at once, so THR and
 *   the transmitter shift register are always empty (LSR.THRE = LSR.TEMT = 1).
 * - The receive FIFO holds 16 bytes in both 16450 and FIFO mode. The host never overruns it
 *   (uart8250_receive accepts only what fits), so the larger buffer cannot change what a 16450-mode
 *   driver sees except that it never loses input.
 * - "Received data available" is raised as soon as the FIFO holds a byte, whatever the FCR
 *   trigger level (which is stored and read back in no register, as on the chip): that is what
 *   the trigger level plus the character timeout (IIR 0x0C) would produce, without a timer.
 * - No parity, framing or break errors; the only line status error is overrun, which only a
 *   loopback write into a full FIFO can cause.
 * - Modem status deltas (MSR bits 0-3) are always 0, so there is never a modem status interrupt.
 * - In loopback the serial input is disconnected from the receiver (8.7, MCR bit 4): the host's
 *   bytes are not received, and, as with a full FIFO, they wait with the host instead of being
 *   lost on the wire. A driver uses this to hold input off while it empties the receiver
 *   before switching FIFO mode, a switch that clears both FIFOs (8.4, FCR0).
 *
 * Reset values follow the datasheet's "UART Reset Configuration" table: IER 0, IIR 0x01, FCR 0,
 * LCR 0, MCR 0, LSR 0x60, MSR deltas 0 (its upper bits follow the modem inputs: a connected
 * console), both FIFOs empty, INTRPT low; uart8250_reset() returns to them on a guest reset.
 * The divisor latch is not affected by reset on the chip (its content is undefined); we start it
 * at 12, i.e. 9600 baud from the PC's 1.8432 MHz clock, so that a guest reading it back sees a
 * plausible setting. A read of RBR with the FIFO empty returns 0.
 *
 * Locking: register accesses (vCPU thread) and uart8250_receive/uart8250_rx_space (console
 * thread) serialize on uart->lock. backend.set_irq is called with the lock held, so that the
 * levels it sees arrive in the order the state changed (two threads dropping the lock before
 * signalling could deliver a stale level last); it must therefore not call back into this UART
 * (a KVM_IRQ_LINE ioctl does not). backend.transmit is called after the lock is released, so a
 * backend may echo the byte back with uart8250_receive.
 */
#include "devices/uart8250_internal.h"

#include <string.h>

/* Register offsets (datasheet table II, "Summary of Registers"). */
enum {
	REG_RBR_THR_DLL = 0,
	REG_IER_DLM = 1,
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define DEFAULT_DIVISOR 12 /* 1.8432 MHz / (16 * 12) = 9600 baud */

/* Free receive FIFO slots for the host: none while the serial input is disconnected (loopback). */
static unsigned rx_host_space(const struct uart8250 *uart)
{
	return uart->mcr & MCR_LOOPBACK ? 0 : UART8250_RX_FIFO_SIZE - uart->rx_count;
}

/* What one register access asks of the backend once the lock is dropped. */
struct pending_transmit {
	bool valid;
	uint8_t byte;
};

static void rx_fifo_clear(struct uart8250 *uart)
{
	uart->rx_head = 0;
	uart->rx_count = 0;
}

static bool rx_fifo_push(struct uart8250 *uart, uint8_t byte)
{
	if (uart->rx_count >= UART8250_RX_FIFO_SIZE)
		return false;
	uart->rx_fifo[(uart->rx_head + uart->rx_count) % UART8250_RX_FIFO_SIZE] = byte;
	uart->rx_count++;
	return true;
}

static uint8_t rx_fifo_pop(struct uart8250 *uart)
{
	if (uart->rx_count == 0)
		return 0;
	uint8_t byte = uart->rx_fifo[uart->rx_head];
	uart->rx_head = (uart->rx_head + 1) % UART8250_RX_FIFO_SIZE;
	uart->rx_count--;
	return byte;
}

/* MSR in loopback: the modem control outputs feed the modem status inputs (8.7, MCR bit 4). */
uint8_t uart8250_modem_status_lines(uint8_t mcr)
{
	if (!(mcr & MCR_LOOPBACK))
		return MSR_CONNECTED;
	uint8_t msr = 0;
	if (mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

static uint8_t line_status(const struct uart8250 *uart)
{
	uint8_t lsr = LSR_THR_EMPTY | LSR_TX_EMPTY | uart->lsr_errors;
	if (uart->rx_count)
		lsr |= LSR_DATA_READY;
	return lsr;
}

/* The highest-priority enabled interrupt source, as IIR bits 0-3 report it (8.6, table IV). */
static uint8_t interrupt_identification(const struct uart8250 *uart)
{
	if ((uart->ier & IER_RX_LINE_STATUS) && (uart->lsr_errors & LSR_OVERRUN))
		return IIR_RX_LINE_STATUS;
	if ((uart->ier & IER_RX_DATA) && uart->rx_count)
		return IIR_RX_DATA;
	if ((uart->ier & IER_THR_EMPTY) && uart->thr_empty_pending)
		return IIR_THR_EMPTY;
	if ((uart->ier & IER_MODEM_STATUS) && (uart->msr & 0x0f))
		return IIR_MODEM_STATUS;
	return IIR_NO_INTERRUPT;
}

/* Recomputes the interrupt line and tells the backend if it changed. Called with the lock held
 * (see the top of the file for why). The PC routes INTRPT through a buffer enabled by OUT2, so
 * with OUT2 clear the line stays low whatever is pending. */
void uart8250_update_irq(struct uart8250 *uart)
{
	bool level = interrupt_identification(uart) != IIR_NO_INTERRUPT && (uart->mcr & MCR_OUT2);
	if (level == uart->irq_asserted)
		return;
	uart->irq_asserted = level;
	if (uart->backend.set_irq)
		uart->backend.set_irq(uart->backend.ctx, level);
}

static void write_fifo_control(struct uart8250 *uart, uint8_t value)
{
	/* "When changing from the FIFO Mode to the 16450 Mode and vice versa, data is automatically
	 * cleared from the FIFOs" (8.4, FCR0). */
	if ((value ^ uart->fcr) & FCR_FIFO_ENABLE)
		rx_fifo_clear(uart);
	/* "This bit must be a 1 when other FCR bits are written to or they will not be programmed."
	 */
	if (!(value & FCR_FIFO_ENABLE)) {
		uart->fcr = 0;
		uart->iir_fifo_bits = 0;
		return;
	}
	if (value & FCR_CLEAR_RX)
		rx_fifo_clear(uart);
	/* FCR_CLEAR_TX: the transmit FIFO is always empty, nothing to clear. */
	uart->fcr = value & FCR_STORED_BITS;
	uart->iir_fifo_bits = IIR_FIFOS_ENABLED;
}

static void write_transmit_holding(struct uart8250 *uart, uint8_t byte, struct pending_transmit *tx)
{
	if (uart->mcr & MCR_LOOPBACK) {
		/* Loopback: the transmitter output feeds the receiver (8.7, MCR bit 4). A full FIFO
		 * overruns: the new character is lost and LSR.OE is set (8.8, LSR1). */
		if (!rx_fifo_push(uart, byte)) {
			uart->lsr_errors |= LSR_OVERRUN;
			uart->rx_overruns++;
		}
	} else {
		tx->valid = true;
		tx->byte = byte;
	}
	/* Writing THR clears the THRE interrupt; the byte leaves at once, so THR is empty again and
	 * the interrupt is pending anew. */
	uart->thr_empty_pending = true;
}

static void write_register(struct uart8250 *uart, unsigned reg, uint8_t value,
			   struct pending_transmit *tx)
{
	bool dlab = uart->lcr & LCR_DLAB;
	switch (reg) {
	case REG_RBR_THR_DLL:
		if (dlab)
			uart->divisor = (uint16_t)((uart->divisor & 0xff00) | value);
		else
			write_transmit_holding(uart, value, tx);
		break;
	case REG_IER_DLM:
		if (dlab) {
			uart->divisor = (uint16_t)((uart->divisor & 0x00ff) | (value << 8));
		} else {
			uint8_t enabled_now = value & ~uart->ier & IER_THR_EMPTY;
			uart->ier = value & IER_WRITABLE;
			/* THR is always empty, so enabling its interrupt raises it at once. */
			if (enabled_now)
				uart->thr_empty_pending = true;
		}
		break;
	case REG_IIR_FCR:
		write_fifo_control(uart, value);
		break;
	case REG_LCR:
		uart->lcr = value;
		break;
	case REG_MCR:
		uart->mcr = value & MCR_WRITABLE;
		uart->msr = uart8250_modem_status_lines(uart->mcr);
		break;
	case REG_LSR:
	case REG_MSR:
		/* Writable only for factory test on the chip (8.8); ignored here. */
		break;
	case REG_SCR:
		uart->scr = value;
		break;
	}
}

static uint8_t read_register(struct uart8250 *uart, unsigned reg)
{
	bool dlab = uart->lcr & LCR_DLAB;
	switch (reg) {
	case REG_RBR_THR_DLL:
		return dlab ? (uint8_t)(uart->divisor & 0xff) : rx_fifo_pop(uart);
	case REG_IER_DLM:
		return dlab ? (uint8_t)(uart->divisor >> 8) : uart->ier;
	case REG_IIR_FCR: {
		uint8_t id = interrupt_identification(uart);
		/* Reading IIR while it reports THRE acknowledges that interrupt (table IV). */
		if (id == IIR_THR_EMPTY)
			uart->thr_empty_pending = false;
		return uart->iir_fifo_bits | id;
	}
	case REG_LCR:
		return uart->lcr;
	case REG_MCR:
		return uart->mcr;
	case REG_LSR: {
		uint8_t lsr = line_status(uart);
		uart->lsr_errors = 0; /* error bits clear when LSR is read (8.8) */
		return lsr;
	}
	case REG_MSR: {
		uint8_t msr = uart->msr;
		uart->msr &= 0xf0; /* delta bits clear when MSR is read (8.9) */
		return msr;
	}
	case REG_SCR:
		return uart->scr;
	}
	return 0xff;
}

/* Every register and the FIFO at their reset values (the table at the top of this file). */
static void set_power_on_registers(struct uart8250 *uart)
{
	uart->ier = 0;
	uart->iir_fifo_bits = 0; /* with IIR_NO_INTERRUPT from interrupt_identification: 0x01 */
	uart->fcr = 0;
	uart->lcr = 0;
	uart->mcr = 0;
	uart->lsr_errors = 0; /* with an empty FIFO, LSR reads THRE | TEMT = 0x60 */
	uart->msr = uart8250_modem_status_lines(0);
	uart->scr = 0;
	uart->divisor = DEFAULT_DIVISOR;
	uart->thr_empty_pending = false;
	rx_fifo_clear(uart);
}

void uart8250_init(struct uart8250 *uart, const struct uart8250_backend *backend)
{
	memset(uart, 0, sizeof *uart);
	if (backend)
		uart->backend = *backend;
	pthread_mutex_init(&uart->lock, NULL);
	set_power_on_registers(uart);
}

/* The chip's Master Reset leaves the divisor latch and the scratch register alone (they are
 * missing from the reset table); we put them back to their power-on values too, so a rebooted
 * guest sees exactly what a fresh one does. rx_overruns is the host's statistic and stays. */
void uart8250_reset(struct uart8250 *uart)
{
	pthread_mutex_lock(&uart->lock);
	set_power_on_registers(uart);
	/* "INTR: all bits low" after reset: lowers a line left asserted. */
	uart8250_update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
}

void uart8250_destroy(struct uart8250 *uart)
{
	pthread_mutex_destroy(&uart->lock);
}

/* Is byte i of an access at offset one of the eight registers? Written so that offset + i cannot
 * wrap, whatever offset the caller passes. */
static bool byte_in_range(uint64_t offset, uint32_t i)
{
	return offset < UART8250_REGISTER_COUNT && i < UART8250_REGISTER_COUNT - offset;
}

void uart8250_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct uart8250 *uart = opaque;
	pthread_mutex_lock(&uart->lock);
	for (uint32_t i = 0; i < len; i++)
		data[i] =
		    byte_in_range(offset, i) ? read_register(uart, (unsigned)(offset + i)) : 0xff;
	uart8250_update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
}

void uart8250_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct uart8250 *uart = opaque;
	/* Only offset 0 is THR, so one access transmits at most one byte. */
	struct pending_transmit tx = {0};
	pthread_mutex_lock(&uart->lock);
	for (uint32_t i = 0; i < len; i++)
		if (byte_in_range(offset, i))
			write_register(uart, (unsigned)(offset + i), data[i], &tx);
	uart8250_update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
	if (tx.valid && uart->backend.transmit)
		uart->backend.transmit(uart->backend.ctx, tx.byte);
}

unsigned uart8250_receive(struct uart8250 *uart, const uint8_t *bytes, unsigned count)
{
	unsigned accepted = 0;
	pthread_mutex_lock(&uart->lock);
	unsigned space = rx_host_space(uart);
	while (accepted < count && accepted < space && rx_fifo_push(uart, bytes[accepted]))
		accepted++;
	uart8250_update_irq(uart);
	pthread_mutex_unlock(&uart->lock);
	return accepted;
}

unsigned uart8250_rx_space(struct uart8250 *uart)
{
	pthread_mutex_lock(&uart->lock);
	unsigned space = rx_host_space(uart);
	pthread_mutex_unlock(&uart->lock);
	return space;
}

const struct bus_device_ops uart8250_bus_ops = {.read = uart8250_read, .write = uart8250_write};
