/* SPDX-License-Identifier: MIT */
/* gdb's remote protocol framing (vmm/gdb/gdb_packet.c): well-formed and malformed packets. */
#include <errno.h>
#include <string.h>

#include "gdb/gdb_address.h"
#include "gdb/gdb_packet.h"
#include "gdb/gdb_regs.h"
#include "test_check_main.h"

/* Feeds text; returns the last event other than GDB_RX_NONE (or NONE). */
static enum gdb_rx_event feed(struct gdb_rx *rx, const char *text, size_t len)
{
	enum gdb_rx_event last = GDB_RX_NONE;
	for (size_t i = 0; i < len; i++) {
		enum gdb_rx_event e = gdb_rx_byte(rx, (uint8_t)text[i]);
		if (e != GDB_RX_NONE)
			last = e;
	}
	return last;
}

#define FEED(rx, s) feed(rx, s, sizeof(s) - 1)

START_TEST(test_good_packets)
{
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	ck_assert_int_eq(FEED(&rx, "$g#67"), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, 1);
	ck_assert_str_eq(rx.buf, "g");
	ck_assert_int_eq(FEED(&rx, "$qSupported:multiprocess+#C6"), GDB_RX_PACKET);
	ck_assert_str_eq(rx.buf, "qSupported:multiprocess+");
	ck_assert_int_eq(FEED(&rx, "$#00"), GDB_RX_PACKET); /* empty */
	ck_assert_uint_eq(rx.len, 0);
	/* Noise before a packet, and a packet restarted by a new '$'. */
	ck_assert_int_eq(FEED(&rx, "xyz$m1,2$g#67"), GDB_RX_PACKET);
	ck_assert_str_eq(rx.buf, "g");
}
END_TEST

START_TEST(test_acks_and_interrupt)
{
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	ck_assert_int_eq(FEED(&rx, "+"), GDB_RX_ACK);
	ck_assert_int_eq(FEED(&rx, "-"), GDB_RX_NACK);
	ck_assert_int_eq(FEED(&rx, "\x03"), GDB_RX_INTERRUPT);
	/* Inside a packet those bytes are data. */
	ck_assert_int_eq(FEED(&rx, "$+-#58"), GDB_RX_PACKET);
	ck_assert_str_eq(rx.buf, "+-");
}
END_TEST

START_TEST(test_bad_checksums)
{
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	ck_assert_int_eq(FEED(&rx, "$g#68"), GDB_RX_BAD_CHECKSUM);
	ck_assert_int_eq(FEED(&rx, "$g#zz"), GDB_RX_BAD_CHECKSUM);
	ck_assert_int_eq(FEED(&rx, "$g#6"), GDB_RX_NONE); /* incomplete */
	ck_assert_int_eq(FEED(&rx, "7"), GDB_RX_PACKET);
	ck_assert_int_eq(FEED(&rx, "$g#6g"), GDB_RX_BAD_CHECKSUM);
}
END_TEST

START_TEST(test_run_length)
{
	struct gdb_rx rx;
	char pkt[64], out[64];
	gdb_rx_init(&rx);
	/* "0* " is '0' repeated 3 more times (' ' is 32 = 29 + 3). */
	int n = gdb_frame(pkt, sizeof pkt, "0* 1", 4);
	ck_assert_int_eq(feed(&rx, pkt, (size_t)n), GDB_RX_PACKET);
	ck_assert_str_eq(rx.buf, "00001");
	/* '*' first, a count below 3, a count at the end: refused. */
	n = gdb_frame(pkt, sizeof pkt, "* 1", 3);
	ck_assert_int_eq(feed(&rx, pkt, (size_t)n), GDB_RX_MALFORMED);
	n = gdb_frame(pkt, sizeof pkt, "0*\x1f", 3);
	ck_assert_int_eq(feed(&rx, pkt, (size_t)n), GDB_RX_MALFORMED);
	ck_assert_int_eq(FEED(&rx, "$0*#5a"), GDB_RX_MALFORMED);
	(void)out;
}
END_TEST

START_TEST(test_too_long)
{
	static char big[GDB_PACKET_MAX + 16];
	static char pkt[sizeof big + 8];
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	memset(big, 'a', sizeof big);
	int n = gdb_frame(pkt, sizeof pkt, big, GDB_PACKET_MAX + 1);
	ck_assert_int_eq(feed(&rx, pkt, (size_t)n), GDB_RX_MALFORMED);
	n = gdb_frame(pkt, sizeof pkt, big, GDB_PACKET_MAX);
	ck_assert_int_eq(feed(&rx, pkt, (size_t)n), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, GDB_PACKET_MAX);
	/* RLE that expands past the bound: "a" then 126 - 29 = 97 more, many times over. */
	gdb_rx_init(&rx);
	char rle[200];
	size_t len = 0;
	for (int i = 0; i < 50; i++) {
		rle[len++] = 'a';
		rle[len++] = '*';
		rle[len++] = '~';
	}
	n = gdb_frame(pkt, sizeof pkt, rle, len);
	ck_assert_int_eq(feed(&rx, pkt, (size_t)n), GDB_RX_MALFORMED);
	ck_assert_int_eq(gdb_frame(pkt, 4, "", 1), -ENOSPC);
}
END_TEST

START_TEST(test_binary_escapes)
{
	uint8_t out[8];
	const uint8_t raw[] = {'#', '$', '}', '*', 0, 0xff};
	char esc[16];
	int n = gdb_escape_binary(raw, sizeof raw, esc, sizeof esc);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(gdb_unescape_binary(esc, (size_t)n, out, sizeof out), (int)sizeof raw);
	ck_assert_mem_eq(out, raw, sizeof raw);
	ck_assert_int_eq(gdb_unescape_binary("ab}", 3, out, sizeof out), -EINVAL);
	ck_assert_int_eq(gdb_unescape_binary("abc", 3, out, 2), -ENOSPC);
	ck_assert_int_eq(gdb_escape_binary(raw, sizeof raw, esc, 3), -ENOSPC);
}
END_TEST

START_TEST(test_hex)
{
	uint8_t b[2];
	uint64_t v;
	const char *p = "ffffffffffffffff,", *end = p + 17;
	ck_assert_int_eq(gdb_parse_hex_u64(&p, end, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(*p, ',');
	p = "10000000000000000";
	ck_assert_int_eq(gdb_parse_hex_u64(&p, p + 17, &v), -EINVAL); /* 65 bits */
	p = ",";
	ck_assert_int_eq(gdb_parse_hex_u64(&p, p + 1, &v), -EINVAL);
	ck_assert_int_eq(gdb_from_hex("0aFf", 2, b), 0);
	ck_assert_uint_eq(b[0], 0x0a);
	ck_assert_uint_eq(b[1], 0xff);
	ck_assert_int_eq(gdb_from_hex("0x", 1, b), -EINVAL);
}
END_TEST

START_TEST(test_addresses)
{
	struct gdb_address a;
	struct vmm_error err;
	ck_assert_int_eq(gdb_address_parse("1234", &a, &err), 0);
	ck_assert_str_eq(a.host, "127.0.0.1");
	ck_assert_uint_eq(a.port, 1234);
	ck_assert_int_eq(gdb_address_parse("0.0.0.0:99", &a, &err), 0);
	ck_assert_str_eq(a.host, "0.0.0.0");
	ck_assert_int_eq(gdb_address_parse("unix:/tmp/g.sock", &a, &err), 0);
	ck_assert(a.is_unix);
	ck_assert_str_eq(a.path, "/tmp/g.sock");
	const char *bad[] = {"",	 "0",	  "65536", "x:1", ":1",
			     "1.2.3.4:", "unix:", "-1",	   " 1",  "localhost:1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(gdb_address_parse(bad[i], &a, &err), -EINVAL);
		ck_assert_int_eq(err.status, VMM_EXIT_USAGE);
		ck_assert_ptr_nonnull(strstr(err.msg, "--gdb"));
	}
}
END_TEST

START_TEST(test_register_layout)
{
	/* The g packet gdb expects for this description: 600 bytes (see gdb_regs.c). */
	ck_assert_uint_eq(gdb_regs_total(), 600);
	ck_assert_uint_eq(gdb_reg_size(GDB_REG_COUNT), 0);
	struct gdb_cpu_state cpu;
	memset(&cpu, 0, sizeof cpu);
	cpu.regs.rip = 0x1122334455667788ull;
	cpu.sregs.cr3 = 0x3000;
	uint8_t b[16];
	gdb_reg_get(&cpu, GDB_REG_RIP, b);
	ck_assert_uint_eq(b[0], 0x88);
	ck_assert_uint_eq(b[7], 0x11);
	gdb_reg_get(&cpu, 61, b); /* cr3 */
	ck_assert_uint_eq(b[1], 0x30);
	ck_assert_int_eq(gdb_reg_set(&cpu, 61, b), -EINVAL);
	b[0] = 0x46;
	ck_assert_int_eq(gdb_reg_set(&cpu, 0, b), 0);
	ck_assert_uint_eq(cpu.regs.rax & 0xff, 0x46);
	ck_assert_ptr_nonnull(strstr(gdb_target_xml, "i386:x86-64"));
}
END_TEST

static Suite *gdb_packet_suite(void)
{
	Suite *s = suite_create("gdb_packet");
	TCase *tc = tcase_create("framing");
	tcase_add_test(tc, test_good_packets);
	tcase_add_test(tc, test_acks_and_interrupt);
	tcase_add_test(tc, test_bad_checksums);
	tcase_add_test(tc, test_run_length);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_binary_escapes);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_register_layout);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(gdb_packet_suite)
