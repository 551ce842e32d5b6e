/* SPDX-License-Identifier: MIT */
/*
 * What test_uart8250.c and test_uart8250_edges.c share: the register offsets, a UART wired to a
 * recording backend (what it transmitted, how its interrupt line moved), and one-byte register
 * access. Each test program gets its own copy (static).
 */
#ifndef MINIVMM_TEST_UART8250_FIXTURE_H
#define MINIVMM_TEST_UART8250_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

static inline void record_transmit(void *ctx, uint8_t byte)
{
	struct recorder *rec = ctx;
	if (rec->transmit_count < sizeof rec->transmitted)
		rec->transmitted[rec->transmit_count] = byte;
	rec->transmit_count++;
}

static inline void record_irq(void *ctx, bool asserted)
{
	struct recorder *rec = ctx;
	rec->irq_calls++;
	rec->irq_level = asserted;
}

static struct recorder rec;
static struct uart8250 uart;

static inline void setup(void)
{
	memset(&rec, 0, sizeof rec);
	struct uart8250_backend backend = {
	    .transmit = record_transmit, .set_irq = record_irq, .ctx = &rec};
	uart8250_init(&uart, &backend);
}

static inline void teardown(void)
{
	uart8250_destroy(&uart);
}

static inline uint8_t rd(uint64_t offset)
{
	uint8_t value = 0x5a;
	uart8250_read(&uart, offset, &value, 1);
	return value;
}

static inline void wr(uint64_t offset, uint8_t value)
{
	uart8250_write(&uart, offset, &value, 1);
}

static inline unsigned receive_str(const char *s)
{
	return uart8250_receive(&uart, (const uint8_t *)s, (unsigned)strlen(s));
}

/* A suite's test cases, each up to 8 tests, all with the fixture above. */
struct uart_test_case {
	const char *name;
	const TTest *tests[8];
};

static inline Suite *uart_suite(const char *name, const struct uart_test_case *cases, size_t count)
{
	Suite *s = suite_create(name);
	for (size_t c = 0; c < count; c++) {
		TCase *tc = tcase_create(cases[c].name);
		tcase_add_checked_fixture(tc, setup, teardown);
		for (unsigned t = 0; t < 8 && cases[c].tests[t]; t++)
			tcase_add_test(tc, cases[c].tests[t]);
		suite_add_tcase(s, tc);
	}
	return s;
}

#endif
