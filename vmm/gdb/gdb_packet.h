/* SPDX-License-Identifier: MIT */
/*
 * The framing of gdb's remote serial protocol (gdb manual, "Remote Protocol", "Overview"):
 * $payload#cs with cs the modulo-256 sum of the payload bytes as two hex digits, '+'/'-'
 * acknowledgements, a lone 0x03 for an interrupt, run-length encoding ("X*n": X repeated n - 29
 * more times) and the '}' escape of binary data (the byte XOR 0x20).
 *
 * Everything here reads bytes from a socket, i.e. from anybody: every length is bounded by
 * GDB_PACKET_MAX, every malformed input is an event the caller answers, never an assert.
 */
#ifndef MINIVMM_GDB_PACKET_H
#define MINIVMM_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest payload accepted and sent (after RLE expansion), advertised as PacketSize. */
#define GDB_PACKET_MAX 4096

enum gdb_rx_event {
	GDB_RX_NONE,	     /* byte consumed, nothing complete yet */
	GDB_RX_PACKET,	     /* rx->buf[0..len) holds a packet whose checksum matched */
	GDB_RX_BAD_CHECKSUM, /* a complete packet with a wrong or malformed checksum: send '-' */
	GDB_RX_MALFORMED,    /* bad RLE or a packet longer than GDB_PACKET_MAX: send '-' */
	GDB_RX_INTERRUPT,    /* 0x03 outside a packet (Ctrl-C) */
	GDB_RX_ACK,	     /* '+' */
	GDB_RX_NACK,	     /* '-': resend the last packet */
};

struct gdb_rx {
	enum { GDB_RX_IDLE, GDB_RX_DATA, GDB_RX_RLE, GDB_RX_SUM1, GDB_RX_SUM2 } state;
	uint8_t sum;	     /* running checksum of the raw bytes */
	uint8_t got_sum;     /* the sender's checksum, from its two hex digits */
	bool bad;	     /* too long or bad RLE: the packet is refused at '#xx' */
	bool bad_sum_digits; /* a checksum digit that is not hex */
	size_t len;
	char buf[GDB_PACKET_MAX + 1]; /* NUL-terminated for convenience; may hold NULs */
};

void gdb_rx_init(struct gdb_rx *rx);

/* Feeds one received byte. Noise between packets (anything but '$', '+', '-', 0x03) is ignored,
 * and a '$' inside a packet starts a new one (the sender gave up on the old). */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t byte);

/* Frames payload as $payload#cs into out. Returns the length, or -ENOSPC if cap is too small
 * (payload must not contain '$' or '#' unescaped: use gdb_escape_binary for binary data). */
int gdb_frame(char *out, size_t cap, const char *payload, size_t len);

/* Decodes the '}' escapes of a binary payload (X packets): at most cap bytes to out. Returns the
 * decoded length, or -EINVAL for a trailing lone '}' or -ENOSPC if out is too small. */
int gdb_unescape_binary(const char *in, size_t len, uint8_t *out, size_t cap);

/* Escapes '#', '$', '}' and '*' in binary data. Returns the escaped length or -ENOSPC. */
int gdb_escape_binary(const uint8_t *in, size_t len, char *out, size_t cap);

/* Hex helpers: the value of one hex digit or -1; bytes to lowercase hex (2*len chars, no NUL). */
int gdb_hex_digit(int c);
void gdb_to_hex(const uint8_t *in, size_t len, char *out);

/* Decodes exactly 2*len hex digits from in. Returns 0 or -EINVAL. */
int gdb_from_hex(const char *in, size_t len, uint8_t *out);

/* Parses a hex number of 1 to 16 digits at *p, advancing *p past it. Returns 0 or -EINVAL (no
 * digit, or more than 64 bits). */
int gdb_parse_hex_u64(const char **p, const char *end, uint64_t *value);

#endif
