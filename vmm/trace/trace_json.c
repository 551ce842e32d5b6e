/* SPDX-License-Identifier: MIT */
/*
 * Chrome Trace Event Format writer. Field meanings follow "Trace Event Format" (Google, the
 * document chrome://tracing and Perfetto implement):
 *   ph   event type: "X" complete event (ts + dur), "M" metadata (process/thread names, order)
 *   ts   start, dur duration: both in microseconds, fractional values allowed
 *   pid  process, tid thread: a (pid, tid) pair is one track in the viewer
 *   args free-form key/values shown when an event is selected
 * and the JSON Object Format wraps them as {"traceEvents":[...]} with optional "displayTimeUnit"
 * ("ms" or "ns") and "otherData" (free metadata).
 *
 * Each event is formatted into a stack buffer with the small appenders below and handed to stdio
 * in one fwrite: no printf parsing per field and no allocation per record, so a million records
 * take about a second.
 */
#include "trace/trace_json.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_JSON_STDIO_BUFFER (1u << 20)
#define TRACE_JSON_PID		1
#define TRACE_JSON_MAX_VCPUS	65536 /* exit_record.vcpu is a uint16_t */

struct trace_json {
	FILE *file;
	char *path;
	char *stdio_buffer;
	uint64_t records;
	int first_error;     /* errno of the first failed write, 0 if none */
	unsigned vcpu_count; /* highest vCPU seen + 1: names for tracks 0..vcpu_count-1 */
	uint8_t vcpu_seen[TRACE_JSON_MAX_VCPUS / 8];
};

/* The two events of a record under construction. 2 KiB holds the longest pair with room to spare;
 * device names are cut at DEVICE_NAME_MAX so even a hostile name cannot overflow it. */
#define EVENT_BUFFER_SIZE 2048
#define DEVICE_NAME_MAX	  64

struct event_buf {
	char text[EVENT_BUFFER_SIZE];
	size_t len;
};

static void put_raw(struct event_buf *b, const char *s, size_t n)
{
	if (n > sizeof b->text - b->len)
		n = sizeof b->text - b->len;
	memcpy(b->text + b->len, s, n);
	b->len += n;
}

/* A string literal: its length is known at compile time. */
#define PUT_LITERAL(b, literal) put_raw((b), "" literal, sizeof(literal) - 1)

static void put_str(struct event_buf *b, const char *s)
{
	put_raw(b, s, strlen(s));
}

static void put_u64(struct event_buf *b, uint64_t v)
{
	char digits[20];
	size_t n = 0;
	do {
		digits[sizeof digits - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_raw(b, digits + sizeof digits - n, n);
}

/* Nanoseconds as microseconds with three decimals: exact, since the trace clock counts ns. */
static void put_us(struct event_buf *b, uint64_t ns)
{
	char frac[4] = {'.', (char)('0' + ns / 100 % 10), (char)('0' + ns / 10 % 10),
			(char)('0' + ns % 10)};
	put_u64(b, ns / 1000);
	put_raw(b, frac, sizeof frac);
}

/* A JSON string literal (RFC 8259 section 7): quote, backslash and control characters escaped,
 * the latter as \u00XX; at most max_len input bytes. */
static void put_json_string(struct event_buf *b, const char *s, size_t max_len)
{
	static const char hex[] = "0123456789abcdef";
	put_raw(b, "\"", 1);
	size_t run = 0; /* characters that need no escape are copied in one go */
	for (size_t i = 0; i < max_len && s[i]; i++) {
		const unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\') {
			run++;
			continue;
		}
		put_raw(b, s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			const char esc[2] = {'\\', (char)c};
			put_raw(b, esc, 2);
		} else {
			const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			put_raw(b, esc, 6);
		}
	}
	put_raw(b, s + strnlen(s, max_len) - run, run);
	put_raw(b, "\"", 1);
}

/* "0x3f8": a hex string, as JSON numbers are doubles and lose 64-bit addresses. */
static void put_hex_string(struct event_buf *b, uint64_t v, unsigned min_digits)
{
	char text[20];
	size_t n = 0;
	do {
		text[sizeof text - ++n] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v || n < min_digits);
	put_raw(b, "\"0x", 3);
	put_raw(b, text + sizeof text - n, n);
	put_raw(b, "\"", 1);
}

int trace_exit_is_access(const struct exit_record *rec)
{
	return rec->kvm_reason == KVM_EXIT_IO || rec->kvm_reason == KVM_EXIT_MMIO;
}

int trace_exit_title(const struct exit_record *rec, char *buf, size_t size)
{
	const bool write = rec->flags & EXIT_RECORD_WRITE;
	if (rec->kvm_reason == KVM_EXIT_IO)
		return snprintf(buf, size, "IO %s 0x%" PRIx64, write ? "out" : "in", rec->addr);
	if (rec->kvm_reason == KVM_EXIT_MMIO)
		return snprintf(buf, size, "MMIO %s 0x%" PRIx64, write ? "write" : "read",
				rec->addr);
	return snprintf(buf, size, "%s", exit_reason_name(rec->kvm_reason));
}

int trace_exit_uart_char(const struct exit_record *rec)
{
	if (!trace_exit_is_access(rec) || !(rec->flags & EXIT_RECORD_WRITE) || !rec->device ||
	    strcmp(rec->device, "uart8250") != 0)
		return -1;
	const int c = (int)(rec->data & 0xff);
	return c >= 0x20 && c < 0x7f ? c : -1;
}

/* The in-kernel exit count, when this record carries one; with sampled counting it covers the
 * last in_kernel_span exits of the vCPU (vcpu_trace.h), and the span is given when over 1. */
static void put_in_kernel_args(struct event_buf *b, const struct exit_record *rec, bool first)
{
	if (!exit_record_has_in_kernel(rec))
		return;
	if (!first)
		PUT_LITERAL(b, ",");
	PUT_LITERAL(b, "\"in_kernel_exits\":");
	put_u64(b, rec->in_kernel_exits);
	if (rec->in_kernel_span > 1) {
		PUT_LITERAL(b, ",\"in_kernel_span\":");
		put_u64(b, rec->in_kernel_span);
	}
}

/* Both tracks of a vCPU: the guest's (odd tid) sorts above the host's (even tid). */
static unsigned guest_tid(unsigned vcpu)
{
	return vcpu * 2 + 1;
}

static unsigned host_tid(unsigned vcpu)
{
	return vcpu * 2 + 2;
}

/* ,\n{"ph":"X","name":NAME,"cat":...,"pid":1,"tid":TID,"ts":START,"dur":LENGTH,"args":{
 * cat_pid_tid is the constant middle part, so each event costs few appends. */
static void put_complete_event_head(struct event_buf *b, const char *name, const char *cat_pid_tid,
				    unsigned tid, uint64_t start_ns, uint64_t end_ns)
{
	PUT_LITERAL(b, ",\n{\"ph\":\"X\",\"name\":");
	put_json_string(b, name, DEVICE_NAME_MAX * 2);
	put_str(b, cat_pid_tid);
	put_u64(b, tid);
	PUT_LITERAL(b, ",\"ts\":");
	put_us(b, start_ns);
	PUT_LITERAL(b, ",\"dur\":");
	put_us(b, end_ns > start_ns ? end_ns - start_ns : 0);
	PUT_LITERAL(b, ",\"args\":{");
}

#define STRINGIFY_(x)	 #x
#define STRINGIFY(x)	 STRINGIFY_(x)
#define CAT_PID_TID(cat) ",\"cat\":\"" cat "\",\"pid\":" STRINGIFY(TRACE_JSON_PID) ",\"tid\":"

static void put_guest_event(struct event_buf *b, const struct exit_record *rec)
{
	put_complete_event_head(b, "guest", CAT_PID_TID("guest"), guest_tid(rec->vcpu), rec->t_run,
				rec->t_exit);
	put_in_kernel_args(b, rec, true);
	PUT_LITERAL(b, "}}");
}

static void put_access_args(struct event_buf *b, const struct exit_record *rec)
{
	const unsigned size = rec->size <= 8 ? rec->size : 8;
	const uint64_t mask = size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
	if (rec->kvm_reason == KVM_EXIT_IO)
		PUT_LITERAL(b, ",\"port\":");
	else
		PUT_LITERAL(b, ",\"gpa\":");
	put_hex_string(b, rec->addr, 1);
	PUT_LITERAL(b, ",\"size\":");
	put_u64(b, rec->size);
	PUT_LITERAL(b, ",\"data\":");
	put_hex_string(b, rec->data & mask, size ? size * 2 : 1);
	const int c = trace_exit_uart_char(rec);
	if (c >= 0) {
		const char text[2] = {(char)c, '\0'};
		PUT_LITERAL(b, ",\"char\":");
		put_json_string(b, text, 1);
	}
	PUT_LITERAL(b, ",\"device\":");
	const bool claimed = rec->device && !(rec->flags & EXIT_RECORD_UNCLAIMED);
	put_json_string(b, claimed ? rec->device : "unclaimed", DEVICE_NAME_MAX);
	PUT_LITERAL(b, ",\"count\":");
	put_u64(b, rec->count);
}

static void put_host_event(struct event_buf *b, const struct exit_record *rec, uint64_t next_t_run)
{
	char title[64];
	trace_exit_title(rec, title, sizeof title);
	put_complete_event_head(b, title, CAT_PID_TID("exit"), host_tid(rec->vcpu), rec->t_exit,
				next_t_run);
	PUT_LITERAL(b, "\"seq\":");
	put_u64(b, rec->seq);
	PUT_LITERAL(b, ",\"reason\":");
	put_json_string(b, exit_reason_name(rec->kvm_reason), DEVICE_NAME_MAX);
	if (trace_exit_is_access(rec))
		put_access_args(b, rec);
	PUT_LITERAL(b, ",\"handling_ns\":");
	put_u64(b, rec->t_done > rec->t_exit ? rec->t_done - rec->t_exit : 0);
	put_in_kernel_args(b, rec, false);
	PUT_LITERAL(b, "}}");
}

void trace_json_add(struct trace_json *tj, const struct exit_record *rec, uint64_t next_t_run)
{
	if (!(tj->vcpu_seen[rec->vcpu / 8] & (1u << (rec->vcpu % 8)))) {
		tj->vcpu_seen[rec->vcpu / 8] |= (uint8_t)(1u << (rec->vcpu % 8));
		if (rec->vcpu + 1u > tj->vcpu_count)
			tj->vcpu_count = rec->vcpu + 1u;
	}
	struct event_buf b;
	b.len = 0; /* not = {0}: clearing 2 KiB per record would cost more than the formatting */
	put_guest_event(&b, rec);
	put_host_event(&b, rec, next_t_run);
	if (fwrite(b.text, 1, b.len, tj->file) != b.len && !tj->first_error)
		tj->first_error = errno ? errno : EIO;
	tj->records++;
}

static int open_errno_status(int e)
{
	switch (e) {
	case ENOMEM:
	case EMFILE:
	case ENFILE:
	case ENOSPC:
	case EDQUOT:
		return VMM_EXIT_HOST_RESOURCES;
	default:
		return VMM_EXIT_USAGE; /* the path: missing directory, permissions, read-only... */
	}
}

static void free_trace_json(struct trace_json *tj)
{
	free(tj->stdio_buffer);
	free(tj->path);
	free(tj);
}

int trace_json_open(struct trace_json **out, const char *path, struct vmm_error *err)
{
	*out = NULL;
	struct trace_json *tj = calloc(1, sizeof *tj);
	char *path_copy = strdup(path);
	char *stdio_buffer = malloc(TRACE_JSON_STDIO_BUFFER);
	if (!tj || !path_copy || !stdio_buffer) {
		free(tj);
		free(path_copy);
		free(stdio_buffer);
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "cannot write trace file '%s': %s", path, strerror(ENOMEM));
	}
	tj->path = path_copy;
	tj->stdio_buffer = stdio_buffer;
	tj->file = fopen(path, "w");
	if (!tj->file) {
		const int e = errno;
		free_trace_json(tj);
		return vmm_error_set(err, -e, open_errno_status(e),
				     "cannot write trace file '%s': %s", path, strerror(e));
	}
	setvbuf(tj->file, tj->stdio_buffer, _IOFBF, TRACE_JSON_STDIO_BUFFER);
	/* The process track's name; the vCPU tracks are named in trace_json_close(), once every
	 * vCPU has been seen (metadata events may appear anywhere in the array). */
	fprintf(tj->file,
		"{\"traceEvents\":[\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,"
		"\"tid\":0,\"args\":{\"name\":\"minivmm VM\"}}",
		TRACE_JSON_PID);
	*out = tj;
	return 0;
}

static void write_vcpu_metadata(struct trace_json *tj, unsigned vcpu)
{
	static const char *const role[2] = {"guest (non-root)", "host (root: KVM + VMM)"};
	for (unsigned i = 0; i < 2; i++) {
		const unsigned tid = i == 0 ? guest_tid(vcpu) : host_tid(vcpu);
		fprintf(tj->file,
			",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%u,"
			"\"args\":{\"name\":\"vCPU %u %s\"}}",
			TRACE_JSON_PID, tid, vcpu, role[i]);
		/* thread_sort_index: lower sorts higher, so guest sits above host per vCPU. */
		fprintf(tj->file,
			",\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%d,\"tid\":%u,"
			"\"args\":{\"sort_index\":%u}}",
			TRACE_JSON_PID, tid, tid);
	}
}

int trace_json_close(struct trace_json *tj, struct vmm_error *err)
{
	if (!tj)
		return 0;
	unsigned vcpus = 0;
	for (unsigned vcpu = 0; vcpu < tj->vcpu_count; vcpu++) {
		if (tj->vcpu_seen[vcpu / 8] & (1u << (vcpu % 8))) {
			write_vcpu_metadata(tj, vcpu);
			vcpus++;
		}
	}
	fprintf(tj->file,
		"\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"producer\":\"minivmm\","
		"\"clock\":\"CLOCK_MONOTONIC, ns since trace start\",\"records\":%" PRIu64
		",\"vcpus\":%u,\"tracks\":\"per vCPU: guest = [t_run, t_exit) inside KVM_RUN; "
		"host = [t_exit, next t_run) in minivmm\"}}\n",
		tj->records, vcpus);
	int e = tj->first_error;
	if (fflush(tj->file) != 0 && !e)
		e = errno;
	if (ferror(tj->file) && !e)
		e = EIO;
	if (fclose(tj->file) != 0 && !e)
		e = errno;
	int ret = 0;
	if (e)
		ret = vmm_error_set(err, -e, open_errno_status(e),
				    "cannot write trace file '%s': %s", tj->path, strerror(e));
	free_trace_json(tj);
	return ret;
}
