/* SPDX-License-Identifier: MIT */
/* Unit tests for the 8250/16550A UART model (vmm/devices/uart8250.c) at its edges: loopback and
 * overrun, snapshot loads, access widths and offsets (also through the bus), and the host's
 * receive thread beside the guest's reads. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine/bus.h"
#include "devices/uart8250.h"
#include "test_check_main.h"
#include "uart8250_fixture.h"

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

static Suite *uart8250_edges_suite(void)
{
	const struct uart_test_case cases[] = {
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
	return uart_suite("uart8250-edges", cases, sizeof cases / sizeof cases[0]);
}

CHECK_MAIN(uart8250_edges_suite)
