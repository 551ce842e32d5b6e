/* SPDX-License-Identifier: MIT */
/* Unit tests for the 8250/16550A UART model (vmm/devices/uart8250.c): its registers, receive
 * FIFO and interrupts as a driver sees them. Loopback, access widths, threads and snapshots are
 * test_uart8250_edges.c's. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "devices/uart8250.h"
#include "test_check_main.h"
#include "uart8250_fixture.h"

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

static Suite *uart8250_suite(void)
{
	const struct uart_test_case cases[] = {
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
	};
	return uart_suite("uart8250", cases, sizeof cases / sizeof cases[0]);
}

CHECK_MAIN(uart8250_suite)
