/* SPDX-License-Identifier: MIT */
/*
 * One gdb packet at a time (the stub's thread, the guest stopped): which command it is, the
 * registers, the queries, the thread ids and the resume packets c, s, C, S and vCont.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "gdb/gdb_stub_internal.h"

/* A thread id as gdb writes it: -1 (all), 0 (any) or a vCPU number + 1. */
static int parse_thread(const char *p, const char *end, int *vcpu)
{
	uint64_t id;
	if (end - p == 2 && p[0] == '-' && p[1] == '1') {
		*vcpu = -1;
		return 0;
	}
	if (gdb_parse_hex_u64(&p, end, &id) || p != end)
		return -EINVAL;
	*vcpu = id == 0 ? -1 : (int)(id > 255 ? 255 : id) - 1;
	return 0;
}

static bool thread_ok(struct gdb_stub *gdb, int vcpu)
{
	return vcpu >= 0 && (unsigned)vcpu < gdb->vm->vcpu_count;
}

/* "addr,len" then an optional ':' (M, X) or ';'/end. */
int gdb_parse_addr_len(const char **p, const char *end, uint64_t *addr, uint64_t *len)
{
	if (gdb_parse_hex_u64(p, end, addr) || *p >= end || **p != ',')
		return -EINVAL;
	(*p)++;
	return gdb_parse_hex_u64(p, end, len);
}

static void cmd_read_registers(struct gdb_stub *gdb)
{
	struct gdb_cpu_state cpu;
	if (gdb_get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		gdb_send_str(gdb, "E01");
		return;
	}
	size_t off = 0;
	uint8_t bytes[16];
	for (unsigned n = 0; n < GDB_REG_COUNT; n++) {
		size_t size = gdb_reg_size(n);
		gdb_reg_get(&cpu, n, bytes);
		gdb_to_hex(bytes, size, gdb->reply + off);
		off += 2 * size;
	}
	gdb_send_packet(gdb, gdb->reply, off);
}

static int put_regs(struct gdb_stub *gdb, const struct gdb_cpu_state *cpu)
{
	return ioctl(gdb->vm->vcpus[gdb->g_vcpu].fd, KVM_SET_REGS, &cpu->regs) < 0 ? -errno : 0;
}

static void cmd_write_registers(struct gdb_stub *gdb, const char *p, size_t len)
{
	struct gdb_cpu_state cpu;
	if (len != 2 * gdb_regs_total() || gdb_get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		gdb_send_str(gdb, "E01");
		return;
	}
	uint8_t bytes[16];
	for (unsigned n = 0; n < GDB_REG_COUNT; n++) {
		size_t size = gdb_reg_size(n);
		if (gdb_from_hex(p, size, bytes)) {
			gdb_send_str(gdb, "E01");
			return;
		}
		gdb_reg_set(&cpu, n, bytes); /* only the writable ones change */
		p += 2 * size;
	}
	gdb_send_str(gdb, put_regs(gdb, &cpu) ? "E01" : "OK");
}

static void cmd_read_register(struct gdb_stub *gdb, const char *p, const char *end)
{
	uint64_t n;
	struct gdb_cpu_state cpu;
	uint8_t bytes[16];
	if (gdb_parse_hex_u64(&p, end, &n) || p != end || n >= GDB_REG_COUNT ||
	    gdb_get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		gdb_send_str(gdb, "E01");
		return;
	}
	gdb_reg_get(&cpu, (unsigned)n, bytes);
	gdb_to_hex(bytes, gdb_reg_size((unsigned)n), gdb->reply);
	gdb_send_packet(gdb, gdb->reply, 2 * gdb_reg_size((unsigned)n));
}

static void cmd_write_register(struct gdb_stub *gdb, const char *p, const char *end)
{
	uint64_t n;
	struct gdb_cpu_state cpu;
	uint8_t bytes[16];
	if (gdb_parse_hex_u64(&p, end, &n) || p == end || *p != '=' || n >= GDB_REG_COUNT ||
	    (size_t)(end - p - 1) != 2 * gdb_reg_size((unsigned)n) ||
	    gdb_from_hex(p + 1, gdb_reg_size((unsigned)n), bytes) ||
	    gdb_get_cpu(gdb, gdb->g_vcpu, &cpu) || gdb_reg_set(&cpu, (unsigned)n, bytes) ||
	    put_regs(gdb, &cpu)) {
		gdb_send_str(gdb, "E01");
		return;
	}
	gdb_send_str(gdb, "OK");
}

/* c, s, C, S (an address to resume at is refused: gdb does not send it). */
static void cmd_resume_all(struct gdb_stub *gdb, bool step, const char *p, const char *end)
{
	if (p != end && (p[0] != ';' || end - p < 2) && gdb_hex_digit((unsigned char)*p) < 0) {
		gdb_send_str(gdb, "E01");
		return;
	}
	bool run[VM_MAX_VCPUS];
	unsigned stepper = gdb->c_vcpu;
	memset(gdb->step, 0, sizeof gdb->step);
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		run[i] = true;
	if (step)
		gdb->step[stepper] = true;
	if (!gdb_step_refused(gdb))
		gdb_resume(gdb, run);
}

/* vCont;ACTION[:THREAD];... : the first action that names a vCPU wins for it. */
static void cmd_vcont(struct gdb_stub *gdb, const char *p, const char *end)
{
	bool run[VM_MAX_VCPUS] = {false}, decided[VM_MAX_VCPUS] = {false};
	memset(gdb->step, 0, sizeof gdb->step);
	unsigned n = gdb->vm->vcpu_count;
	while (p < end) {
		if (*p++ != ';' || p >= end) {
			gdb_send_str(gdb, "E01");
			return;
		}
		char action = *p++;
		if (action == 'C' || action == 'S') { /* a signal number: ignored for a machine */
			uint64_t sig;
			if (gdb_parse_hex_u64(&p, end, &sig)) {
				gdb_send_str(gdb, "E01");
				return;
			}
			action = (char)(action - 'A' + 'a');
		}
		if (action != 'c' && action != 's') {
			gdb_send_str(gdb, "E01");
			return;
		}
		int vcpu = -1;
		if (p < end && *p == ':') {
			const char *t = ++p;
			while (p < end && *p != ';')
				p++;
			if (parse_thread(t, p, &vcpu) || (vcpu >= 0 && !thread_ok(gdb, vcpu))) {
				gdb_send_str(gdb, "E01");
				return;
			}
		}
		for (unsigned i = 0; i < n; i++) {
			if (decided[i] || (vcpu >= 0 && (unsigned)vcpu != i))
				continue;
			decided[i] = true;
			run[i] = true;
			gdb->step[i] = action == 's';
		}
	}
	if (!gdb_step_refused(gdb))
		gdb_resume(gdb, run);
}

static void cmd_query(struct gdb_stub *gdb, const char *p, const char *end)
{
	size_t len = (size_t)(end - p);
	if (len >= 10 && memcmp(p, "qSupported", 10) == 0) {
		gdb_send_str(gdb, "PacketSize=1000;qXfer:features:read+;swbreak+;hwbreak+;"
				  "QStartNoAckMode+;vContSupported+");
	} else if (strcmp(p, "qfThreadInfo") == 0) {
		int off = snprintf(gdb->reply, sizeof gdb->reply, "m");
		for (unsigned i = 0; i < gdb->vm->vcpu_count; i++)
			off += snprintf(gdb->reply + off, sizeof gdb->reply - (size_t)off, "%s%x",
					i ? "," : "", i + 1);
		gdb_send_str(gdb, gdb->reply);
	} else if (strcmp(p, "qsThreadInfo") == 0) {
		gdb_send_str(gdb, "l");
	} else if (strcmp(p, "qC") == 0) {
		snprintf(gdb->reply, sizeof gdb->reply, "QC%x", gdb->g_vcpu + 1);
		gdb_send_str(gdb, gdb->reply);
	} else if (strcmp(p, "qAttached") == 0) {
		gdb_send_str(gdb, "1");
	} else if (len > 33 && memcmp(p, "qXfer:features:read:target.xml:", 31) == 0) {
		const char *q = p + 31;
		uint64_t off, want;
		if (gdb_parse_addr_len(&q, end, &off, &want) || q != end) {
			gdb_send_str(gdb, "E01");
			return;
		}
		if (off > gdb_target_xml_len) {
			gdb_send_str(gdb, "E01");
			return;
		}
		size_t left = gdb_target_xml_len - (size_t)off;
		if (want > GDB_PACKET_MAX / 2 - 1)
			want = GDB_PACKET_MAX / 2 - 1; /* escaping may double each byte */
		size_t n = left < want ? left : (size_t)want;
		gdb->reply[0] = n < left ? 'm' : 'l';
		int e = gdb_escape_binary((const uint8_t *)gdb_target_xml + off, n, gdb->reply + 1,
					  sizeof gdb->reply - 1);
		gdb_send_packet(gdb, gdb->reply, e < 0 ? 0 : (size_t)e + 1);
	} else if (len >= 10 && memcmp(p, "qXfer:", 6) == 0) {
		gdb_send_str(gdb, "E00"); /* an annex or object we do not serve */
	} else {
		gdb_send_str(gdb, ""); /* unsupported */
	}
}

void gdb_handle_packet(struct gdb_stub *gdb, const char *p, size_t len)
{
	const char *end = p + len;
	int vcpu;
	if (len == 0) {
		gdb_send_str(gdb, "");
		return;
	}
	switch (p[0]) {
	case '?':
		gdb_send_stop_reply(gdb);
		return;
	case 'g':
		cmd_read_registers(gdb);
		return;
	case 'G':
		cmd_write_registers(gdb, p + 1, len - 1);
		return;
	case 'p':
		cmd_read_register(gdb, p + 1, end);
		return;
	case 'P':
		cmd_write_register(gdb, p + 1, end);
		return;
	case 'm':
		gdb_cmd_read_memory(gdb, p + 1, end);
		return;
	case 'M':
		gdb_cmd_write_memory(gdb, p + 1, end, false);
		return;
	case 'X':
		gdb_cmd_write_memory(gdb, p + 1, end, true);
		return;
	case 'c':
	case 's':
		cmd_resume_all(gdb, p[0] == 's', p + 1, end);
		return;
	case 'C':
	case 'S':
		cmd_resume_all(gdb, p[0] == 'S', end, end);
		return;
	case 'Z':
	case 'z':
		gdb_cmd_breakpoint(gdb, p[0] == 'Z', p + 1, end);
		return;
	case 'H':
		if (len < 3 || (p[1] != 'g' && p[1] != 'c') || parse_thread(p + 2, end, &vcpu) ||
		    (vcpu >= 0 && !thread_ok(gdb, vcpu))) {
			gdb_send_str(gdb, "E01");
			return;
		}
		if (vcpu >= 0)
			*(p[1] == 'g' ? &gdb->g_vcpu : &gdb->c_vcpu) = (unsigned)vcpu;
		gdb_send_str(gdb, "OK");
		return;
	case 'T':
		gdb_send_str(gdb, parse_thread(p + 1, end, &vcpu) == 0 && thread_ok(gdb, vcpu)
				      ? "OK"
				      : "E01");
		return;
	case 'D':
		gdb_send_str(gdb, "OK");
		gdb_detach(gdb);
		close(gdb->client_fd);
		gdb->client_fd = -1;
		return;
	case 'k':
		/* No reply (the spec's all-stop k): the run ends as if killed. */
		stop_request_raise(&gdb->vm->stop, STOP_SIGNAL, VMM_EXIT_SIGNAL_BASE + 9);
		close(gdb->client_fd);
		gdb->client_fd = -1;
		return;
	case 'q':
		cmd_query(gdb, p, end);
		return;
	case 'Q':
		if (strcmp(p, "QStartNoAckMode") == 0) {
			gdb_send_str(gdb, "OK");
			gdb->no_ack = true;
		} else {
			gdb_send_str(gdb, "");
		}
		return;
	case 'v':
		if (strcmp(p, "vCont?") == 0)
			gdb_send_str(gdb, "vCont;c;C;s;S");
		else if (len >= 5 && memcmp(p, "vCont", 5) == 0)
			cmd_vcont(gdb, p + 5, end);
		else
			gdb_send_str(gdb, "");
		return;
	default:
		gdb_send_str(gdb, "");
		return;
	}
}
