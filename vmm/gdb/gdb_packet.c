/* SPDX-License-Identifier: MIT */
#include "gdb/gdb_packet.h"

#include <errno.h>
#include <string.h>

void gdb_rx_init(struct gdb_rx *rx)
{
	memset(rx, 0, sizeof *rx);
	rx->state = GDB_RX_IDLE;
}

int gdb_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void start_packet(struct gdb_rx *rx)
{
	rx->state = GDB_RX_DATA;
	rx->sum = 0;
	rx->len = 0;
	rx->bad = false;
	rx->bad_sum_digits = false;
}

static void append(struct gdb_rx *rx, char c)
{
	if (rx->len >= GDB_PACKET_MAX) {
		rx->bad = true;
		return;
	}
	rx->buf[rx->len++] = c;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t byte)
{
	int digit;
	switch (rx->state) {
	case GDB_RX_IDLE:
		if (byte == '$')
			start_packet(rx);
		else if (byte == 0x03)
			return GDB_RX_INTERRUPT;
		else if (byte == '+')
			return GDB_RX_ACK;
		else if (byte == '-')
			return GDB_RX_NACK;
		return GDB_RX_NONE;
	case GDB_RX_DATA:
		if (byte == '$') {
			start_packet(rx);
		} else if (byte == '#') {
			rx->state = GDB_RX_SUM1;
		} else if (byte == '*') {
			rx->sum = (uint8_t)(rx->sum + byte);
			if (rx->len == 0) /* nothing to repeat */
				rx->bad = true;
			rx->state = GDB_RX_RLE;
		} else {
			rx->sum = (uint8_t)(rx->sum + byte);
			append(rx, (char)byte);
		}
		return GDB_RX_NONE;
	case GDB_RX_RLE:
		if (byte == '$') {
			start_packet(rx);
			return GDB_RX_NONE;
		}
		if (byte == '#') { /* '*' with no count */
			rx->bad = true;
			rx->state = GDB_RX_SUM1;
			return GDB_RX_NONE;
		}
		rx->sum = (uint8_t)(rx->sum + byte);
		rx->state = GDB_RX_DATA;
		/* The count is a printable character; the spec excludes '#' and '$' (and so counts
		 * 6 and 7), and anything below 3 would not shorten the packet. */
		if (byte < 29 + 3 || byte > 126) {
			rx->bad = true;
		} else if (!rx->bad) {
			char repeated = rx->buf[rx->len - 1];
			for (unsigned n = byte - 29u; n > 0 && !rx->bad; n--)
				append(rx, repeated);
		}
		return GDB_RX_NONE;
	case GDB_RX_SUM1:
		if (byte == '$') {
			start_packet(rx);
			return GDB_RX_NONE;
		}
		digit = gdb_hex_digit(byte);
		rx->bad_sum_digits = digit < 0;
		rx->got_sum = (uint8_t)((digit < 0 ? 0 : digit) << 4);
		rx->state = GDB_RX_SUM2;
		return GDB_RX_NONE;
	case GDB_RX_SUM2:
		if (byte == '$') {
			start_packet(rx);
			return GDB_RX_NONE;
		}
		digit = gdb_hex_digit(byte);
		rx->bad_sum_digits |= digit < 0;
		rx->got_sum |= (uint8_t)(digit < 0 ? 0 : digit);
		rx->state = GDB_RX_IDLE;
		rx->buf[rx->len < GDB_PACKET_MAX ? rx->len : GDB_PACKET_MAX] = '\0';
		if (rx->bad_sum_digits || rx->got_sum != rx->sum)
			return GDB_RX_BAD_CHECKSUM;
		if (rx->bad)
			return GDB_RX_MALFORMED;
		return GDB_RX_PACKET;
	}
	rx->state = GDB_RX_IDLE; /* not reached: every state is handled above */
	return GDB_RX_NONE;
}

int gdb_frame(char *out, size_t cap, const char *payload, size_t len)
{
	if (cap < 4 || len > cap - 4)
		return -ENOSPC;
	uint8_t sum = 0;
	out[0] = '$';
	for (size_t i = 0; i < len; i++) {
		out[1 + i] = payload[i];
		sum = (uint8_t)(sum + (uint8_t)payload[i]);
	}
	out[1 + len] = '#';
	out[2 + len] = "0123456789abcdef"[sum >> 4];
	out[3 + len] = "0123456789abcdef"[sum & 15];
	return (int)(len + 4);
}

int gdb_unescape_binary(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = (uint8_t)in[i];
		if (b == '}') {
			if (++i == len)
				return -EINVAL;
			b = (uint8_t)in[i] ^ 0x20;
		}
		if (n == cap)
			return -ENOSPC;
		out[n++] = b;
	}
	return (int)n;
}

int gdb_escape_binary(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = in[i];
		bool esc = b == '#' || b == '$' || b == '}' || b == '*';
		if (cap - n < (esc ? 2u : 1u))
			return -ENOSPC;
		if (esc) {
			out[n++] = '}';
			b ^= 0x20;
		}
		out[n++] = (char)b;
	}
	return (int)n;
}

void gdb_to_hex(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = "0123456789abcdef"[in[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[in[i] & 15];
	}
}

int gdb_from_hex(const char *in, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = gdb_hex_digit((unsigned char)in[2 * i]);
		int lo = hi < 0 ? -1 : gdb_hex_digit((unsigned char)in[2 * i + 1]);
		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int gdb_parse_hex_u64(const char **p, const char *end, uint64_t *value)
{
	const char *s = *p;
	uint64_t v = 0;
	unsigned digits = 0;
	int d;
	while (s < end && (d = gdb_hex_digit((unsigned char)*s)) >= 0) {
		if (v >> 60)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
		s++;
		digits++;
	}
	if (digits == 0)
		return -EINVAL;
	*p = s;
	*value = v;
	return 0;
}
