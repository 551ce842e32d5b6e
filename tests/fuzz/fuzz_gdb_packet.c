/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: bytes from a gdb client (vmm/gdb/gdb_packet.c, gdb_address.c). The input is
 * fed byte by byte to the packet reader; each complete packet is then taken apart the way the
 * stub does (hex numbers, hex data, binary escapes), and the input as a whole is also a --gdb
 * address.
 *
 * Invariants: a packet never exceeds GDB_PACKET_MAX bytes; a packet that was accepted, framed
 * again and fed to a fresh reader comes back identical (when it has no '$', '#' or '*' that
 * framing would need to escape); escaping then unescaping binary data is the identity.
 */
#include <string.h>

#include "fuzz_common.h"
#include "gdb/gdb_address.h"
#include "gdb/gdb_packet.h"

static void take_apart(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	uint64_t v;
	while (p < end) {
		if (gdb_parse_hex_u64(&p, end, &v))
			p++;
	}
	static uint8_t bin[GDB_PACKET_MAX];
	int n = gdb_unescape_binary(buf, len, bin, sizeof bin);
	FUZZ_CHECK(n < 0 || (size_t)n <= len);
	if (len % 2 == 0)
		gdb_from_hex(buf, len / 2, bin);
	static char esc[2 * GDB_PACKET_MAX];
	static uint8_t back[GDB_PACKET_MAX];
	int e = gdb_escape_binary((const uint8_t *)buf, len, esc, sizeof esc);
	FUZZ_CHECK(e >= (int)len);
	int u = gdb_unescape_binary(esc, (size_t)e, back, sizeof back);
	FUZZ_CHECK(u == (int)len && memcmp(back, buf, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gdb_rx rx, again;
	static char framed[GDB_PACKET_MAX + 8];
	gdb_rx_init(&rx);
	for (size_t i = 0; i < size; i++) {
		if (gdb_rx_byte(&rx, data[i]) != GDB_RX_PACKET)
			continue;
		FUZZ_CHECK(rx.len <= GDB_PACKET_MAX);
		take_apart(rx.buf, rx.len);
		if (memchr(rx.buf, '$', rx.len) || memchr(rx.buf, '#', rx.len) ||
		    memchr(rx.buf, '*', rx.len))
			continue;
		int n = gdb_frame(framed, sizeof framed, rx.buf, rx.len);
		FUZZ_CHECK(n == (int)rx.len + 4);
		gdb_rx_init(&again);
		enum gdb_rx_event last = GDB_RX_NONE;
		for (int k = 0; k < n; k++)
			last = gdb_rx_byte(&again, (uint8_t)framed[k]);
		FUZZ_CHECK(last == GDB_RX_PACKET && again.len == rx.len &&
			   memcmp(again.buf, rx.buf, rx.len) == 0);
	}
	char text[128];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	struct gdb_address addr;
	struct vmm_error err;
	if (gdb_address_parse(text, &addr, &err) == 0)
		FUZZ_CHECK(addr.is_unix ? addr.path[0] != '\0' : addr.port != 0);
	return 0;
}
