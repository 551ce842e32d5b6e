/* SPDX-License-Identifier: MIT */
/*
 * The text trace's lines. The trace thread formats one line per exit, up to ~120,000 a second,
 * on the CPU the vCPU thread would otherwise have to itself on a two-CPU host: printf cost
 * ~11,000 instructions a line there (tools/exit-instructions, "all threads" with --trace), most
 * of the --trace overhead once the host is busy. So the line is built by hand, appending into a
 * bounded buffer: the same text as the printf formats in the comments, for a fraction of that.
 */
#include "trace/trace_text.h"

#include <linux/kvm.h>
#include <stdbool.h>
#include <string.h>

/* A bounded line: appends past the end are dropped, the text stays NUL-terminated. */
struct line {
	char *buf;
	size_t size, len;
};

static void put_chars(struct line *l, const char *s, size_t n)
{
	if (l->size == 0)
		return;
	size_t room = l->size - 1 - l->len;
	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void put_str(struct line *l, const char *s)
{
	put_chars(l, s, strlen(s));
}

/* "%-*s": s, then spaces up to width. */
static void put_padded(struct line *l, const char *s, size_t width)
{
	size_t n = strlen(s);
	put_chars(l, s, n);
	while (n++ < width)
		put_chars(l, " ", 1);
}

/* "%*llu" with fill '0' or ' ', or "%llu" with width 0. */
static void put_dec(struct line *l, uint64_t v, unsigned width, char fill)
{
	char digits[24];
	size_t n = 0;
	do {
		digits[sizeof digits - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width && n < sizeof digits)
		digits[sizeof digits - 1 - n++] = fill;
	put_chars(l, digits + sizeof digits - n, n);
}

/* "0x%0*llx": at least `width` lowercase hex digits. */
static void put_hex(struct line *l, uint64_t v, unsigned width)
{
	char digits[20];
	size_t n = 0;
	do {
		digits[sizeof digits - 1 - n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	while (n < width && n < 16)
		digits[sizeof digits - 1 - n++] = '0';
	put_chars(l, "0x", 2);
	put_chars(l, digits + sizeof digits - n, n);
}

/* value / unit with `decimals` digits, rounded half up: "%.1f", "%.3f" without floating point.
 * unit is a power of ten, at least 10^decimals. */
static void put_fixed(struct line *l, uint64_t value, uint64_t unit, unsigned decimals)
{
	uint64_t scale = 1;
	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	uint64_t step = unit / scale;
	uint64_t rounded = value / step + (value % step >= (step + 1) / 2);
	put_dec(l, rounded / scale, 0, ' ');
	put_chars(l, ".", 1);
	put_dec(l, rounded % scale, decimals, '0');
}

static void put_duration(struct line *l, uint64_t ns)
{
	if (ns < 1000) {
		put_dec(l, ns, 0, ' ');
		put_str(l, "ns");
	} else if (ns < 1000000) {
		put_fixed(l, ns, 1000, 1);
		put_str(l, "us");
	} else if (ns < 1000000000) {
		put_fixed(l, ns, 1000000, 3);
		put_str(l, "ms");
	} else {
		put_fixed(l, ns, 1000000000, 3);
		put_str(l, "s");
	}
}

void format_duration(char *buf, size_t size, uint64_t ns)
{
	struct line l = {.buf = buf, .size = size};
	if (size)
		buf[0] = '\0';
	put_duration(&l, ns);
}

/* "%s 0x%03llx %uB 0x%0*llx" (port I/O) or "%s 0x%llx %uB 0x%0*llx" (MMIO), then " x%u" for a
 * rep, or the byte written as a character. */
static void put_detail(struct line *l, const struct exit_record *rec)
{
	bool write = rec->flags & EXIT_RECORD_WRITE;
	unsigned digits = rec->size ? rec->size * 2u : 2u;
	uint64_t data = rec->data;
	if (rec->kvm_reason == KVM_EXIT_IO)
		put_str(l, write ? "out " : "in ");
	else if (rec->kvm_reason == KVM_EXIT_MMIO)
		put_str(l, write ? "write " : "read ");
	else
		return;
	put_hex(l, rec->addr, rec->kvm_reason == KVM_EXIT_IO ? 3 : 1);
	put_chars(l, " ", 1);
	put_dec(l, rec->size, 0, ' ');
	put_chars(l, "B ", 2);
	put_hex(l, data, digits);
	if (rec->count > 1) {
		put_str(l, " x");
		put_dec(l, rec->count, 0, ' ');
	} else if (write && rec->size == 1 && data >= 0x20 && data < 0x7f) {
		char c[4] = {' ', '\'', (char)data, '\''};
		put_chars(l, c, sizeof c);
	} else if (write && rec->size == 1 && data == '\n') {
		put_str(l, " '\\n'");
	} else if (write && rec->size == 1 && data == '\r') {
		put_str(l, " '\\r'");
	}
}

void format_exit_detail(char *buf, size_t size, const struct exit_record *rec)
{
	struct line l = {.buf = buf, .size = size};
	if (size)
		buf[0] = '\0';
	put_detail(&l, rec);
}

/* "#%6llu  +%.3fms  %-5s %-30s %-14s guest %-8s vmm %-8s", then the in-kernel count and the
 * vCPU tag. */
void format_exit_line(char *buf, size_t size, const struct exit_record *rec)
{
	struct line l = {.buf = buf, .size = size};
	char detail[64], guest[24], vmm[24];
	if (size)
		buf[0] = '\0';
	format_exit_detail(detail, sizeof detail, rec);
	format_duration(guest, sizeof guest, rec->t_exit - rec->t_run);
	format_duration(vmm, sizeof vmm, rec->t_done - rec->t_exit);
	const char *device = rec->device			    ? rec->device
			     : (rec->flags & EXIT_RECORD_UNCLAIMED) ? "unclaimed"
								    : "-";
	put_chars(&l, "#", 1);
	put_dec(&l, rec->seq, 6, ' ');
	put_str(&l, "  +");
	put_fixed(&l, rec->t_exit, 1000000, 3);
	put_str(&l, "ms  ");
	put_padded(&l, exit_reason_name(rec->kvm_reason), 5);
	put_chars(&l, " ", 1);
	put_padded(&l, detail, 30);
	put_chars(&l, " ", 1);
	put_padded(&l, device, 14);
	put_str(&l, " guest ");
	put_padded(&l, guest, 8);
	put_str(&l, " vmm ");
	put_padded(&l, vmm, 8);
	if (exit_record_has_in_kernel(rec) && rec->in_kernel_exits) {
		put_str(&l, "  (+");
		put_dec(&l, rec->in_kernel_exits, 0, ' ');
		if (rec->in_kernel_span > 1) {
			put_str(&l, " in-kernel over the last ");
			put_dec(&l, rec->in_kernel_span, 0, ' ');
			put_str(&l, " exits)");
		} else {
			put_str(&l, " in-kernel)");
		}
	}
	/* --cpus N: a line of vCPU k > 0 ends with "vcpu k"; no tag means vCPU 0, so a one-vCPU
	 * trace reads as before. */
	if (rec->vcpu > 0) {
		put_str(&l, "  vcpu ");
		put_dec(&l, rec->vcpu, 0, ' ');
	}
}
