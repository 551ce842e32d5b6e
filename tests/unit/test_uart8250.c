/* SPDX-License-Identifier: MIT */
/* Unit tests for the 8250/16550A UART model (vmm/devices/uart8250.c). */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine/bus.h"
#include "devices/uart8250.h"

enum { THR = 0, RBR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
enum { MSR = 6, SCR = 7 };

/* What the fake backend saw. */
struct recorder {
	uint8_t transmitted[256];
	unsigned transmit_count;
	unsigned irq_calls;
	bool irq_level;
};

static void record_transmit(void *ctx, uint8_t byte)
{
	struct recorder *rec = ctx;
	if (rec->transmit_count < sizeof rec->transmitted)
		rec->transmitted[rec->transmit_count] = byte;
	rec->transmit_count++;
}

static void record_irq(void *ctx, bool asserted)
{
	struct recorder *rec = ctx;
	rec->irq_calls++;
	rec->irq_level = asserted;
}

static struct recorder rec;
static struct uart8250 uart;

static void setup(void)
{
	memset(&rec, 0, sizeof rec);
	struct uart8250_backend backend = {
	    .transmit = record_transmit, .set_irq = record_irq, .ctx = &rec};
	uart8250_init(&uart, &backend);
}

static void teardown(void)
{
	uart8250_destroy(&uart);
}

static uint8_t rd(uint64_t offset)
{
	uint8_t value = 0x5a;
	uart8250_read(&uart, offset, &value, 1);
	return value;
}

static void wr(uint64_t offset, uint8_t value)
{
	uart8250_write(&uart, offset, &value, 1);
}

static unsigned receive_str(const char *s)
{
	return uart8250_receive(&uart, (const uint8_t *)s, (unsigned)strlen(s));
}

/* ---- registers ---- */

START_TEST(test_reset_values)
{
	ck_assert_uint_eq(rd(IER), 0);
	ck_assert_uint_eq(rd(IIR), 0x01);
	ck_assert_uint_eq(rd(LCR), 0);
	ck_assert_uint_eq(rd(MCR), 0);
	ck_assert_uint_eq(rd(LSR), 0x60);
	ck_assert_uint_eq(rd(MSR), 0xb0);
	ck_assert_uint_eq(rd(RBR), 0); /* empty FIFO reads 0 */
	wr(LCR, 0x80);
	ck_assert_uint_eq(rd(DLL), 12); /* 9600 baud */
	ck_assert_uint_eq(rd(DLM), 0);
	ck_assert_uint_eq(rec.irq_calls, 0);
}
END_TEST

START_TEST(test_transmit_in_order)
{
	const char *msg = "Hello, 8250!\n";
	for (const char *p = msg; *p; p++)
		wr(THR, (uint8_t)*p);
	ck_assert_uint_eq(rec.transmit_count, strlen(msg));
	ck_assert_mem_eq(rec.transmitted, msg, strlen(msg));
}
END_TEST

START_TEST(test_dlab_switches_to_divisor_latch)
{
	wr(IER, 0x05);
	wr(LCR, 0x83); /* DLAB + 8 data bits */
	wr(DLL, 0x01);
	wr(DLM, 0x02);
	ck_assert_uint_eq(rec.transmit_count, 0); /* DLL write is not a THR write */
	ck_assert_uint_eq(rd(DLL), 0x01);
	ck_assert_uint_eq(rd(DLM), 0x02);
	ck_assert_uint_eq(rd(LCR), 0x83);
	wr(LCR, 0x03);
	ck_assert_uint_eq(rd(IER), 0x05); /* untouched by the DLM write */
	wr(THR, 'x');
	ck_assert_uint_eq(rec.transmit_count, 1);
	ck_assert_uint_eq(rec.transmitted[0], 'x');
	wr(LCR, 0x80);
	ck_assert_uint_eq(rd(DLL), 0x01); /* divisor survives DLAB going off and on */
	ck_assert_uint_eq(rd(DLM), 0x02);
}
END_TEST

START_TEST(test_absurd_divisors_harmless)
{
	wr(LCR, 0x80);
	wr(DLL, 0);
	wr(DLM, 0);
	ck_assert_uint_eq(rd(DLL), 0);
	ck_assert_uint_eq(rd(DLM), 0);
	wr(DLL, 0xff);
	wr(DLM, 0xff);
	ck_assert_uint_eq(rd(DLL), 0xff);
	ck_assert_uint_eq(rd(DLM), 0xff);
	wr(LCR, 0x03);
	wr(THR, 'k');
	ck_assert_uint_eq(rec.transmit_count, 1);
}
END_TEST

START_TEST(test_lsr_thre_temt_and_dr)
{
	ck_assert_uint_eq(rd(LSR) & 0x61, 0x60);
	wr(THR, 'a');
	ck_assert_uint_eq(rd(LSR) & 0x60, 0x60); /* THR empties at once */
	ck_assert_uint_eq(receive_str("xy"), 2);
	ck_assert_uint_eq(rd(LSR), 0x61);
	ck_assert_uint_eq(rd(RBR), 'x');
	ck_assert_uint_eq(rd(LSR), 0x61);
	ck_assert_uint_eq(rd(RBR), 'y');
	ck_assert_uint_eq(rd(LSR), 0x60);
}
END_TEST

START_TEST(test_scratch_round_trip)
{
	for (unsigned v = 0; v < 256; v++) {
		wr(SCR, (uint8_t)v);
		ck_assert_uint_eq(rd(SCR), v);
	}
}
END_TEST

START_TEST(test_ier_lcr_mcr_masks)
{
	wr(IER, 0xff);
	ck_assert_uint_eq(rd(IER), 0x0f);
	wr(LCR, 0x7f);
	ck_assert_uint_eq(rd(LCR), 0x7f);
	wr(MCR, 0xff);
	ck_assert_uint_eq(rd(MCR), 0x1f);
}
END_TEST

/* ---- receive FIFO ---- */

START_TEST(test_fifo_order_and_capacity)
{
	uint8_t in[20];
	for (unsigned i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(0x40 + i);
	ck_assert_uint_eq(uart8250_rx_space(&uart), 16);
	ck_assert_uint_eq(uart8250_receive(&uart, in, sizeof in), 16); /* 17th byte refused */
	ck_assert_uint_eq(uart8250_rx_space(&uart), 0);
	ck_assert_uint_eq(uart8250_receive(&uart, in + 16, 4), 0);
	ck_assert_uint_eq(rd(LSR) & 0x02, 0); /* refusing host input is no overrun */
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(RBR), 0x40 + i);
	ck_assert_uint_eq(rd(LSR) & 0x01, 0);
	ck_assert_uint_eq(rd(RBR), 0);
	ck_assert_uint_eq(uart8250_rx_space(&uart), 16);
}
END_TEST

START_TEST(test_fifo_wraps_around)
{
	/* Interleave receive and read so the ring index wraps several times. */
	unsigned next_in = 0, next_out = 0;
	for (unsigned round = 0; round < 10; round++) {
		uint8_t chunk[7];
		for (unsigned i = 0; i < sizeof chunk; i++)
			chunk[i] = (uint8_t)(next_in + i);
		unsigned n = uart8250_receive(&uart, chunk, sizeof chunk);
		ck_assert_uint_eq(n, 7);
		next_in += n;
		for (unsigned i = 0; i < 7; i++)
			ck_assert_uint_eq(rd(RBR), (uint8_t)next_out++);
	}
	ck_assert_uint_eq(uart8250_rx_space(&uart), 16);
}
END_TEST

START_TEST(test_fcr_clears_and_enables_fifo)
{
	wr(FCR, 0x01);
	ck_assert_uint_eq(rd(IIR) & 0xc0, 0xc0);
	ck_assert_uint_eq(receive_str("abc"), 3);
	wr(FCR, 0xc1); /* trigger level change alone keeps the data */
	ck_assert_uint_eq(rd(LSR) & 0x01, 0x01);
	wr(FCR, 0x07); /* clear receive and transmit FIFOs */
	ck_assert_uint_eq(rd(LSR) & 0x01, 0);
	ck_assert_uint_eq(uart8250_rx_space(&uart), 16);
	ck_assert_uint_eq(rd(IIR) & 0xc0, 0xc0);
	ck_assert_uint_eq(receive_str("d"), 1);
	wr(FCR, 0x00); /* back to 16450 mode: FIFOs are cleared */
	ck_assert_uint_eq(rd(IIR) & 0xc0, 0);
	ck_assert_uint_eq(rd(LSR) & 0x01, 0);
	ck_assert_uint_eq(receive_str("e"), 1);
	wr(FCR, 0x02); /* FCR0 clear: other bits are not programmed */
	ck_assert_uint_eq(rd(RBR), 'e');
}
END_TEST

/* What the guest's driver relies on: in FIFO mode LSR.THRE means the transmitter FIFO is empty,
 * so 16 THR writes may follow one LSR read, and every byte leaves in order. */
START_TEST(test_fifo_mode_takes_sixteen_bytes_per_thre)
{
	wr(FCR, 0x07);
	ck_assert_uint_eq(rd(LSR) & 0x60, 0x60);
	for (unsigned i = 0; i < 16; i++)
		wr(THR, (uint8_t)('A' + i));
	ck_assert_uint_eq(rec.transmit_count, 16);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(rec.transmitted[i], 'A' + i);
	ck_assert_uint_eq(rd(LSR) & 0x60, 0x60); /* drained: THRE and TEMT again */
	ck_assert_uint_eq(rd(IIR), 0xc1);	 /* no interrupt enabled, FIFOs on */
}
END_TEST

/* ---- interrupts ---- */

START_TEST(test_iir_priorities)
{
	wr(FCR, 0x01);
	wr(IER, 0x07); /* line status, data, THRE */
	ck_assert_uint_eq(rd(IIR), 0xc2);
	wr(MCR, 0x10); /* loopback: 17 bytes overrun the FIFO */
	for (unsigned i = 0; i < 17; i++)
		wr(THR, (uint8_t)i);
	ck_assert_uint_eq(rd(IIR), 0xc6); /* line status beats data and THRE */
	ck_assert_uint_eq(rd(LSR) & 0x02, 0x02);
	ck_assert_uint_eq(rd(IIR), 0xc4); /* data next */
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(RBR), i);
	ck_assert_uint_eq(rd(IIR), 0xc2); /* then THRE, acknowledged by this read */
	ck_assert_uint_eq(rd(IIR), 0xc1);
}
END_TEST

START_TEST(test_thre_interrupt_cycle)
{
	wr(THR, 'a'); /* with IER clear nothing is reported */
	ck_assert_uint_eq(rd(IIR), 0x01);
	wr(IER, 0x02);
	ck_assert_uint_eq(rd(IIR), 0x02);
	ck_assert_uint_eq(rd(IIR), 0x01); /* cleared by the IIR read */
	wr(IER, 0x02);			  /* already enabled: no new interrupt */
	ck_assert_uint_eq(rd(IIR), 0x01);
	wr(THR, 'b'); /* THR empties again */
	ck_assert_uint_eq(rd(IIR), 0x02);
	wr(IER, 0x00);
	wr(IER, 0x02); /* re-enabling raises it */
	ck_assert_uint_eq(rd(IIR), 0x02);
}
END_TEST

START_TEST(test_iir_read_does_not_ack_data)
{
	wr(IER, 0x03);
	ck_assert_uint_eq(receive_str("z"), 1);
	ck_assert_uint_eq(rd(IIR), 0x04);
	ck_assert_uint_eq(rd(IIR), 0x04); /* data stays until read */
	ck_assert_uint_eq(rd(RBR), 'z');
	ck_assert_uint_eq(rd(IIR), 0x02); /* THRE was pending underneath */
	ck_assert_uint_eq(rd(IIR), 0x01);
}
END_TEST

START_TEST(test_irq_gated_by_out2)
{
	wr(IER, 0x01);
	ck_assert_uint_eq(receive_str("q"), 1);
	ck_assert_uint_eq(rd(IIR), 0x04);
	ck_assert_uint_eq(rec.irq_calls, 0); /* OUT2 clear: line stays low */
	wr(MCR, 0x0b);			     /* DTR, RTS, OUT2 */
	ck_assert_uint_eq(rec.irq_calls, 1);
	ck_assert(rec.irq_level);
	ck_assert_uint_eq(receive_str("r"), 1); /* still asserted: no new call */
	ck_assert_uint_eq(rec.irq_calls, 1);
	ck_assert_uint_eq(rd(RBR), 'q');
	ck_assert_uint_eq(rec.irq_calls, 1);
	ck_assert_uint_eq(rd(RBR), 'r');
	ck_assert_uint_eq(rec.irq_calls, 2);
	ck_assert(!rec.irq_level);
	ck_assert_uint_eq(receive_str("s"), 1);
	ck_assert_uint_eq(rec.irq_calls, 3);
	ck_assert(rec.irq_level);
	wr(MCR, 0x03); /* OUT2 off drops the line */
	ck_assert_uint_eq(rec.irq_calls, 4);
	ck_assert(!rec.irq_level);
}
END_TEST

START_TEST(test_irq_follows_thre)
{
	wr(MCR, 0x08);
	wr(IER, 0x02);
	ck_assert_uint_eq(rec.irq_calls, 1);
	ck_assert(rec.irq_level);
	ck_assert_uint_eq(rd(IIR), 0x02);
	ck_assert_uint_eq(rec.irq_calls, 2); /* the acknowledging IIR read lowers it */
	ck_assert(!rec.irq_level);
	wr(THR, '!');
	ck_assert_uint_eq(rec.irq_calls, 3);
	ck_assert(rec.irq_level);
	ck_assert_uint_eq(rec.transmit_count, 1);
}
END_TEST

START_TEST(test_polled_mode_without_set_irq)
{
	uart8250_destroy(&uart);
	struct uart8250_backend backend = {.transmit = record_transmit, .ctx = &rec};
	uart8250_init(&uart, &backend);
	wr(MCR, 0x08);
	wr(IER, 0x0f);
	ck_assert_uint_eq(receive_str("p"), 1);
	ck_assert_uint_eq(rd(IIR), 0x04);
	ck_assert_uint_eq(rd(RBR), 'p');
	wr(THR, 'o');
	ck_assert_uint_eq(rec.transmit_count, 1);
	ck_assert_uint_eq(rec.irq_calls, 0);
}
END_TEST

/* ---- loopback and overrun ---- */

START_TEST(test_loopback)
{
	wr(MCR, 0x10);
	ck_assert_uint_eq(rd(MSR), 0x00); /* all modem outputs off */
	wr(THR, 'L');
	ck_assert_uint_eq(rec.transmit_count, 0);
	ck_assert_uint_eq(rd(LSR), 0x61);
	ck_assert_uint_eq(rd(RBR), 'L');
	wr(MCR, 0x11); /* DTR -> DSR */
	ck_assert_uint_eq(rd(MSR), 0x20);
	wr(MCR, 0x12); /* RTS -> CTS */
	ck_assert_uint_eq(rd(MSR), 0x10);
	wr(MCR, 0x14); /* OUT1 -> RI */
	ck_assert_uint_eq(rd(MSR), 0x40);
	wr(MCR, 0x18); /* OUT2 -> DCD */
	ck_assert_uint_eq(rd(MSR), 0x80);
	wr(MCR, 0x00);
	ck_assert_uint_eq(rd(MSR), 0xb0);
	wr(THR, 'T');
	ck_assert_uint_eq(rec.transmit_count, 1);
	ck_assert_uint_eq(rd(LSR) & 0x01, 0);
}
END_TEST

START_TEST(test_loopback_disconnects_host_input)
{
	ck_assert_uint_eq(receive_str("ab"), 2);
	wr(MCR, 0x10); /* the serial input is disconnected: the host's bytes wait */
	ck_assert_uint_eq(uart8250_rx_space(&uart), 0);
	ck_assert_uint_eq(receive_str("cd"), 0);
	ck_assert_uint_eq(rd(RBR), 'a'); /* what arrived before is still there */
	wr(THR, 'L');			 /* the looped-back byte is received */
	ck_assert_uint_eq(rd(RBR), 'b');
	ck_assert_uint_eq(rd(RBR), 'L');
	ck_assert_uint_eq(rd(LSR) & 0x01, 0);
	wr(MCR, 0x00); /* connected again */
	ck_assert_uint_eq(uart8250_rx_space(&uart), 16);
	ck_assert_uint_eq(receive_str("cd"), 2);
	ck_assert_uint_eq(rd(RBR), 'c');
}
END_TEST

/* The driver's start-up (guest/kernel/serial.c): loopback holds input off while the receiver is
 * emptied, then FIFO mode is switched on, which clears the FIFOs, without losing a host byte. */
START_TEST(test_fifo_switch_under_loopback_loses_no_input)
{
	ck_assert_uint_eq(receive_str("xy"), 2);
	wr(MCR, 0x10);
	ck_assert_uint_eq(rd(RBR), 'x');
	ck_assert_uint_eq(rd(RBR), 'y');
	ck_assert_uint_eq(receive_str("z"), 0);
	wr(FCR, 0x07);
	wr(MCR, 0x00);
	ck_assert_uint_eq(rd(IIR) & 0xc0, 0xc0);
	ck_assert_uint_eq(receive_str("z"), 1);
	ck_assert_uint_eq(rd(RBR), 'z');
}
END_TEST

START_TEST(test_overrun_set_and_cleared_by_lsr_read)
{
	wr(MCR, 0x10);
	for (unsigned i = 0; i < 16; i++)
		wr(THR, (uint8_t)('a' + i));
	ck_assert_uint_eq(rd(LSR), 0x61);
	wr(THR, '#'); /* lost */
	ck_assert_uint_eq(uart.rx_overruns, 1);
	ck_assert_uint_eq(rd(LSR), 0x63);
	ck_assert_uint_eq(rd(LSR), 0x61);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(RBR), 'a' + i);
	ck_assert_uint_eq(rd(LSR), 0x60);
}
END_TEST

/* ---- snapshot ---- */

/* A saved state loads back; one that no register sequence can produce is refused whole. Offsets
 * are struct uart8250_saved's (docs/snapshot.md): IER 0, IIR FIFO bits 1, FCR 2, MCR 4, LSR
 * errors 5, MSR 6, SCR 7. */
START_TEST(test_load_refuses_unreachable_registers)
{
	wr(FCR, 0xc1);
	wr(IER, 0x05);
	wr(MCR, 0x13); /* loopback with DTR and RTS */
	wr(SCR, 0x42);
	uint8_t saved[64];
	size_t len = uart8250_save(&uart, saved);
	ck_assert_int_eq(uart8250_load(&uart, saved, len), 0);
	ck_assert_uint_eq(rd(IIR) & 0xc0, 0xc0);
	static const struct {
		unsigned offset;
		uint8_t value;
	} forged[] = {
	    {0, 0x15}, /* IER bit 4 */
	    {1, 0x00}, /* IIR without its FIFO bits while FCR enables them */
	    {1, 0x3f}, /* IIR FIFO bits that are not 11 */
	    {2, 0xcd}, /* FCR bit 2 (clear transmitter) is not stored */
	    {2, 0xc0}, /* FCR trigger bits without FCR0 */
	    {4, 0x33}, /* MCR bit 5 */
	    {5, 0x04}, /* a parity error: the model has none */
	    {6, 0xb0}, /* MSR of a connected console while in loopback */
	    {6, 0x31}, /* an MSR delta */
	};
	for (unsigned i = 0; i < sizeof forged / sizeof forged[0]; i++) {
		uint8_t copy[64];
		memcpy(copy, saved, len);
		copy[forged[i].offset] = forged[i].value;
		copy[7] = 0x99; /* SCR: shows whether anything was taken */
		ck_assert_msg(uart8250_load(&uart, copy, len) == -EINVAL, "forged byte %u = 0x%02x",
			      forged[i].offset, forged[i].value);
		ck_assert_uint_eq(rd(SCR), 0x42);
	}
}
END_TEST

/* ---- access widths and offsets ---- */

START_TEST(test_wide_reads)
{
	wr(MCR, 0x03);
	wr(SCR, 0x42);
	uint8_t buf[8];
	uart8250_read(&uart, 4, buf, 4);
	ck_assert_uint_eq(buf[0], 0x03);
	ck_assert_uint_eq(buf[1], 0x60);
	ck_assert_uint_eq(buf[2], 0xb0);
	ck_assert_uint_eq(buf[3], 0x42);
	memset(buf, 0, sizeof buf);
	uart8250_read(&uart, 6, buf, 4);
	ck_assert_uint_eq(buf[0], 0xb0);
	ck_assert_uint_eq(buf[1], 0x42);
	ck_assert_uint_eq(buf[2], 0xff);
	ck_assert_uint_eq(buf[3], 0xff);
}
END_TEST

START_TEST(test_out_of_range_offsets)
{
	static const uint64_t offsets[] = {8, 9, 255, 0x10000, UINT64_MAX - 3, UINT64_MAX};
	uint8_t buf[8];
	for (unsigned k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
		memset(buf, 0, sizeof buf);
		uart8250_read(&uart, offsets[k], buf, 8);
		for (unsigned i = 0; i < 8; i++)
			ck_assert_uint_eq(buf[i], 0xff);
		memset(buf, 0x11, sizeof buf);
		uart8250_write(&uart, offsets[k], buf, 8);
	}
	ck_assert_uint_eq(rec.transmit_count, 0);
	ck_assert_uint_eq(rd(IER), 0);
	ck_assert_uint_eq(rd(LCR), 0);
	ck_assert_uint_eq(rd(SCR), 0);
	/* A write straddling the end touches only SCR. */
	uint8_t tail[4] = {0x77, 0x88, 0x99, 0xaa};
	uart8250_write(&uart, 7, tail, 4);
	ck_assert_uint_eq(rd(SCR), 0x77);
	uart8250_read(&uart, 0, buf, 0); /* zero-length access is a no-op */
}
END_TEST

START_TEST(test_16bit_write_to_offset_0)
{
	uint8_t two[2] = {'W', 0x13};
	uart8250_write(&uart, 0, two, 2);
	ck_assert_uint_eq(rec.transmit_count, 1);
	ck_assert_uint_eq(rec.transmitted[0], 'W');
	ck_assert_uint_eq(rd(IER), 0x03); /* second byte went to IER, masked */
	wr(LCR, 0x80);
	uint8_t divisor[2] = {0x34, 0x12};
	uart8250_write(&uart, 0, divisor, 2);
	ck_assert_uint_eq(rec.transmit_count, 1);
	uint8_t back[2] = {0};
	uart8250_read(&uart, 0, back, 2);
	ck_assert_uint_eq(back[0], 0x34);
	ck_assert_uint_eq(back[1], 0x12);
}
END_TEST

START_TEST(test_through_the_bus)
{
	struct bus io;
	bus_init(&io, "io");
	ck_assert_int_eq(bus_register(&io, 0x3f8, 8, "uart", &uart8250_bus_ops, &uart), 0);
	uint8_t byte = 'B';
	ck_assert_ptr_nonnull(bus_access(&io, 0x3f8, &byte, 1, true));
	ck_assert_uint_eq(rec.transmit_count, 1);
	ck_assert_uint_eq(rec.transmitted[0], 'B');
	ck_assert_ptr_nonnull(bus_access(&io, 0x3fd, &byte, 1, false));
	ck_assert_uint_eq(byte, 0x60);
}
END_TEST

/* ---- threads ---- */

#define THREADED_BYTES 5000

static void *console_thread(void *arg)
{
	(void)arg;
	for (unsigned sent = 0; sent < THREADED_BYTES;) {
		uint8_t chunk[5];
		for (unsigned i = 0; i < sizeof chunk; i++)
			chunk[i] = (uint8_t)((sent + i) * 7);
		unsigned want = THREADED_BYTES - sent < sizeof chunk ? THREADED_BYTES - sent
								     : (unsigned)sizeof chunk;
		sent += uart8250_receive(&uart, chunk, want);
		if (uart8250_rx_space(&uart) == 0)
			sched_yield();
	}
	return NULL;
}

START_TEST(test_concurrent_receive_and_read)
{
	wr(MCR, 0x08);
	wr(IER, 0x01);
	pthread_t thread;
	ck_assert_int_eq(pthread_create(&thread, NULL, console_thread, NULL), 0);
	for (unsigned got = 0; got < THREADED_BYTES;) {
		if (rd(LSR) & 0x01) {
			ck_assert_uint_eq(rd(RBR), (uint8_t)(got * 7));
			got++;
		} else {
			sched_yield();
		}
	}
	pthread_join(thread, NULL);
	ck_assert_uint_eq(uart8250_rx_space(&uart), 16);
	ck_assert(!rec.irq_level); /* FIFO drained: the line is low again */
}
END_TEST

static Suite *uart8250_suite(void)
{
	Suite *s = suite_create("uart8250");
	struct {
		const char *name;
		const TTest *tests[8];
	} cases[] = {
	    {"registers",
	     {test_reset_values, test_transmit_in_order, test_dlab_switches_to_divisor_latch,
	      test_absurd_divisors_harmless, test_lsr_thre_temt_and_dr, test_scratch_round_trip,
	      test_ier_lcr_mcr_masks}},
	    {"rx_fifo",
	     {test_fifo_order_and_capacity, test_fifo_wraps_around,
	      test_fcr_clears_and_enables_fifo, test_fifo_mode_takes_sixteen_bytes_per_thre}},
	    {"interrupts",
	     {test_iir_priorities, test_thre_interrupt_cycle, test_iir_read_does_not_ack_data,
	      test_irq_gated_by_out2, test_irq_follows_thre, test_polled_mode_without_set_irq}},
	    {"loopback",
	     {test_loopback, test_loopback_disconnects_host_input,
	      test_fifo_switch_under_loopback_loses_no_input,
	      test_overrun_set_and_cleared_by_lsr_read}},
	    {"access",
	     {test_wide_reads, test_out_of_range_offsets, test_16bit_write_to_offset_0,
	      test_through_the_bus}},
	    {"threads", {test_concurrent_receive_and_read}},
	    {"snapshot", {test_load_refuses_unreachable_registers}},
	};
	for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		TCase *tc = tcase_create(cases[c].name);
		tcase_add_checked_fixture(tc, setup, teardown);
		for (unsigned t = 0; t < 8 && cases[c].tests[t]; t++)
			tcase_add_test(tc, cases[c].tests[t]);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	SRunner *runner = srunner_create(uart8250_suite());
	srunner_run_all(runner, CK_NORMAL);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
