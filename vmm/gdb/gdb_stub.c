/* SPDX-License-Identifier: MIT */
#include "gdb/gdb_stub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gdb/gdb_packet.h"
#include "gdb/gdb_probe.h"
#include "gdb/gdb_regs.h"
#include "machine/vm.h"
#include "x86/long_mode.h"

#define GDB_MAX_SW_BP	    64
#define GDB_MAX_HW_BP	    4
#define GDB_SIGINT	    2
#define GDB_SIGTRAP	    5
#define GDB_PARK_TIMEOUT_MS 10000

enum stop_kind { STOP_KIND_SIGNAL, STOP_KIND_SWBREAK, STOP_KIND_HWBREAK };

struct gdb_sw_bp {
	bool used;
	uint64_t addr, gpa;
	uint8_t saved; /* the guest's byte under the 0xCC */
};

struct gdb_stub {
	struct vm *vm;
	struct gdb_address addr;
	int listen_fd, client_fd;
	int wake_rd, wake_wr; /* a pipe: vCPU threads and gdb_stub_finish wake the stub thread */
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t lock; /* everything below that vCPU threads also touch */
	bool step[VM_MAX_VCPUS];
	/* Resuming at an enabled debug-register breakpoint: step once with the debug registers
	 * off, then put them back and go on (hosts that ignore the resume flag, RF, would stop at
	 * the same breakpoint again). */
	bool hw_step_over[VM_MAX_VCPUS];
	/* KVM_GUESTDBG_INJECT_BP/DB for the next KVM_RUN: an int3 or a trap flag of the guest's
	 * own, intercepted only because the debugger asked KVM for #BP/#DB exits. */
	uint32_t inject[VM_MAX_VCPUS];
	bool stop_pending; /* a stop gdb has not been told about */
	unsigned stop_vcpu;
	int stop_signal;
	enum stop_kind stop_kind;
	struct gdb_sw_bp sw[GDB_MAX_SW_BP];
	uint64_t hw_addr[GDB_MAX_HW_BP];
	bool hw_used[GDB_MAX_HW_BP];
	atomic_bool vm_done;

	/* The stub thread's own. */
	bool running; /* the guest runs on gdb's c/s: a stop reply is owed */
	bool no_ack;
	unsigned g_vcpu, c_vcpu;    /* Hg / Hc */
	uint32_t blockirq;	    /* KVM_GUESTDBG_BLOCKIRQ if KVM has it, else 0 */
	struct gdb_host_debug host; /* what KVM gives here (gdb_probe.h) */
	struct gdb_rx rx;
	char out[GDB_PACKET_MAX + 8];
	size_t out_len;
	char reply[GDB_PACKET_MAX + 1];
};

static int set_guest_debug(struct gdb_stub *gdb, unsigned i);

/* --- vCPU side --------------------------------------------------------------------------- */

static void wake_stub(struct gdb_stub *gdb)
{
	char b = 1;
	ssize_t ignored = write(gdb->wake_wr, &b, 1);
	(void)ignored;
}

struct stop_record {
	struct gdb_stub *gdb;
	unsigned vcpu;
	int sig;
	enum stop_kind kind;
};

/* vm_pause_hold's hook: the first stop since the last resume is the one gdb is told about. */
static void record_stop(void *ctx)
{
	struct stop_record *r = ctx;
	pthread_mutex_lock(&r->gdb->lock);
	r->gdb->stop_pending = true;
	r->gdb->stop_vcpu = r->vcpu;
	r->gdb->stop_signal = r->sig;
	r->gdb->stop_kind = r->kind;
	pthread_mutex_unlock(&r->gdb->lock);
}

/* Asks every vCPU to park (machine/pause.h) and wakes the stub thread to answer gdb. */
static void request_stop(struct gdb_stub *gdb, unsigned vcpu, int sig, enum stop_kind kind)
{
	struct stop_record r = {gdb, vcpu, sig, kind};
	if (vm_pause_hold(gdb->vm, VM_PAUSE_DEBUGGER, record_stop, &r))
		wake_stub(gdb);
}

static bool is_stub_breakpoint(struct gdb_stub *gdb, uint64_t rip)
{
	bool found = false;
	pthread_mutex_lock(&gdb->lock);
	for (unsigned i = 0; i < GDB_MAX_SW_BP && !found; i++)
		found = gdb->sw[i].used && gdb->sw[i].addr == rip;
	pthread_mutex_unlock(&gdb->lock);
	return found;
}

bool gdb_stub_claim_exit(struct gdb_stub *gdb, struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	if (run->exit_reason == KVM_EXIT_DEBUG && gdb->hw_step_over[vcpu->index]) {
		/* Stepped off a debug-register breakpoint (resume()): arm them again, run on. */
		gdb->hw_step_over[vcpu->index] = false;
		set_guest_debug(gdb, vcpu->index);
		return true;
	}
	if (run->exit_reason == KVM_EXIT_DEBUG) {
		/* #DB: a single-step or a debug-register hit (DR6 B0-B3); #BP: an int3 (USE_SW_BP).
		 * The guest's own int3, or its own trap flag (DR6.BS while we do not step), goes
		 * back to the guest, as if no debugger were there (api.rst 4.59: INJECT_BP/DB). */
		unsigned i = vcpu->index;
		bool guest_int3 =
		    run->debug.arch.exception == 3 && !is_stub_breakpoint(gdb, run->debug.arch.pc);
		bool guest_tf = run->debug.arch.exception == 1 && !gdb->step[i] &&
				!(run->debug.arch.dr6 & 0xf) && (run->debug.arch.dr6 & (1u << 14));
		if (guest_int3 || guest_tf) {
			gdb->inject[i] =
			    guest_int3 ? KVM_GUESTDBG_INJECT_BP : KVM_GUESTDBG_INJECT_DB;
			set_guest_debug(gdb, i);
			return true;
		}
		enum stop_kind kind = STOP_KIND_SIGNAL;
		if (run->debug.arch.exception == 3)
			kind = STOP_KIND_SWBREAK;
		else if ((run->debug.arch.dr6 & 0xf) && !gdb->step[vcpu->index])
			kind = STOP_KIND_HWBREAK;
		request_stop(gdb, vcpu->index, GDB_SIGTRAP, kind);
		return true;
	}
	/* Hosts where an int3 in guest ring 0 is emulated (kvm_pvm): KVM cannot emulate it and
	 * stops with RIP at the 0xCC. Ours is a breakpoint hit; anyone else's stays an error. */
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
	    run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		struct kvm_regs regs;
		if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) == 0 &&
		    is_stub_breakpoint(gdb, regs.rip)) {
			request_stop(gdb, vcpu->index, GDB_SIGTRAP, STOP_KIND_SWBREAK);
			return true;
		}
	}
	return false;
}

/* --- the stub thread: vCPU state, memory --------------------------------------------------- */

/* Waits until every live vCPU is parked, so that none is inside KVM_RUN (where a vCPU ioctl
 * would block the stub until the guest exits, forever for a spinning guest). Bounded: a vCPU
 * stuck on the host side must not hang the stub. */
static void wait_all_parked(struct gdb_stub *gdb)
{
	vm_pause_wait_parked(gdb->vm, GDB_PARK_TIMEOUT_MS);
}

static int get_cpu(struct gdb_stub *gdb, unsigned i, struct gdb_cpu_state *cpu)
{
	int fd = gdb->vm->vcpus[i].fd;
	memset(cpu, 0, sizeof *cpu);
	if (ioctl(fd, KVM_GET_REGS, &cpu->regs) < 0 || ioctl(fd, KVM_GET_SREGS, &cpu->sregs) < 0)
		return -errno;
	if (ioctl(fd, KVM_GET_FPU, &cpu->fpu) < 0)
		memset(&cpu->fpu, 0, sizeof cpu->fpu);
	return 0;
}

/* A guest virtual address to a host pointer for at most len bytes within its page, through
 * the page tables of vCPU i. NULL if unmapped, non-canonical or not RAM. */
static uint8_t *guest_virt(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va, size_t len)
{
	uint64_t gpa = va;
	if (s->cr0 & X86_CR0_PG) {
		if (!(s->efer & X86_EFER_LMA))
			return NULL; /* 32-bit paging: not walked (yet) */
		if (s->cr4 & (1ull << 12))
			return NULL; /* LA57: five-level paging is not walked */
		uint64_t high = va >> 47;
		if (high != 0 && high != 0x1ffff)
			return NULL; /* non-canonical */
		if (x86_translate(&gdb->vm->mem, s->cr3, va, &gpa))
			return NULL;
	}
	return guest_mem_gpa_to_hva(&gdb->vm->mem, gpa, len);
}

/* Whether va is a user page (U set at every level of the 4-level walk; Intel SDM vol. 3A
 * 5.11.2). False for unmapped addresses and without long-mode paging. */
static bool user_page(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va)
{
	if (!(s->cr0 & X86_CR0_PG) || !(s->efer & X86_EFER_LMA))
		return false;
	uint64_t table = s->cr3;
	for (int level = 3; level >= 0; level--) {
		unsigned index = (unsigned)(va >> (12 + 9 * level)) & 511;
		const uint8_t *p = guest_mem_gpa_to_hva(
		    &gdb->vm->mem, (table & X86_PTE_ADDR_MASK) + index * 8ull, 8);
		uint64_t e;
		if (!p)
			return false;
		memcpy(&e, p, 8);
		if (!(e & X86_PTE_PRESENT) || !(e & X86_PTE_USER))
			return false;
		if (level > 0 && level < 3 && (e & X86_PTE_LARGE))
			return true;
		table = e;
	}
	return true;
}

/* Hosts where guest ring 3 runs natively without KVM seeing its #DB/#BP (kvm_pvm): a step or
 * an int3 there would go to the guest's own handlers and end the guest's program. */
static bool ring3_unsupported(struct gdb_stub *gdb)
{
	return gdb->host.sw_breakpoint != GDB_NATIVE;
}

/* Reads or writes len bytes at va, page by page. Returns the bytes done (a prefix), 0 if none. */
static size_t access_virt(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va,
			  uint8_t *buf, size_t len, bool write)
{
	size_t done = 0;
	if (len == 0 || len - 1 > UINT64_MAX - va)
		return 0; /* wraps past the top of the address space */
	while (done < len) {
		uint64_t a = va + done;
		size_t n = 4096 - (size_t)(a & 4095);
		if (n > len - done)
			n = len - done;
		uint8_t *p = guest_virt(gdb, s, a, n);
		if (!p)
			break;
		if (write)
			memcpy(p, buf + done, n);
		else
			memcpy(buf + done, p, n);
		done += n;
	}
	return done;
}

/* --- breakpoints and resuming --------------------------------------------------------------- */

static int set_guest_debug(struct gdb_stub *gdb, unsigned i)
{
	struct kvm_guest_debug dbg;
	memset(&dbg, 0, sizeof dbg);
	bool any_sw = false, any_hw = false;
	for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
		any_sw |= gdb->sw[k].used;
	for (unsigned k = 0; k < GDB_MAX_HW_BP; k++) {
		if (!gdb->hw_used[k] || gdb->hw_step_over[i])
			continue;
		any_hw = true;
		dbg.arch.debugreg[k] = gdb->hw_addr[k];
		dbg.arch.debugreg[7] |= 1ull << (2 * k); /* Lk; R/W and LEN 0: execution */
	}
	/* Where int3 is emulated it exits as an emulation failure anyway (gdb_stub_claim_exit). */
	if (any_sw && gdb->host.sw_breakpoint == GDB_NATIVE)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	if (any_hw)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	if (gdb->step[i] || gdb->hw_step_over[i])
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | gdb->blockirq;
	if (gdb->inject[i])
		dbg.control |= KVM_GUESTDBG_ENABLE | gdb->inject[i];
	gdb->inject[i] = 0; /* once: KVM injects it on the next entry */
	return ioctl(gdb->vm->vcpus[i].fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -errno : 0;
}

/* Releases the parked vCPUs: those with run[i] set run (step[i]: one instruction). */
static void resume(struct gdb_stub *gdb, const bool *run)
{
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++) {
		struct kvm_regs regs;
		gdb->hw_step_over[i] = false;
		for (unsigned k = 0; k < GDB_MAX_HW_BP && run[i] && !gdb->step[i]; k++)
			if (gdb->hw_used[k] &&
			    ioctl(gdb->vm->vcpus[i].fd, KVM_GET_REGS, &regs) == 0 &&
			    regs.rip == gdb->hw_addr[k])
				gdb->hw_step_over[i] = true;
		set_guest_debug(gdb, i);
	}
	unsigned keep_parked = 0;
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++)
		keep_parked |= run[i] ? 0 : 1u << i;
	pthread_mutex_lock(&gdb->lock);
	gdb->stop_pending = false;
	pthread_mutex_unlock(&gdb->lock);
	gdb->running = true;
	vm_pause_release(gdb->vm, VM_PAUSE_DEBUGGER, keep_parked);
}

static int sw_insert(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t addr)
{
	int free_slot = -1;
	for (int k = 0; k < GDB_MAX_SW_BP; k++) {
		if (gdb->sw[k].used && gdb->sw[k].addr == addr)
			return 0;
		if (!gdb->sw[k].used && free_slot < 0)
			free_slot = k;
	}
	uint8_t *p = guest_virt(gdb, s, addr, 1);
	if (!p)
		return -EFAULT;
	if (free_slot < 0)
		return -ENOSPC;
	pthread_mutex_lock(&gdb->lock);
	gdb->sw[free_slot] = (struct gdb_sw_bp){.used = true, .addr = addr, .saved = *p};
	pthread_mutex_unlock(&gdb->lock);
	*p = 0xcc;
	return 0;
}

static void sw_remove_slot(struct gdb_stub *gdb, unsigned k, const struct kvm_sregs *s)
{
	uint8_t *p = guest_virt(gdb, s, gdb->sw[k].addr, 1);
	if (p && *p == 0xcc)
		*p = gdb->sw[k].saved;
	pthread_mutex_lock(&gdb->lock);
	gdb->sw[k].used = false;
	pthread_mutex_unlock(&gdb->lock);
}

static int sw_remove(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t addr)
{
	for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
		if (gdb->sw[k].used && gdb->sw[k].addr == addr) {
			sw_remove_slot(gdb, k, s);
			return 0;
		}
	return 0; /* removing what is not there is not an error */
}

/* Back to a guest that runs without a debugger: no breakpoints, no stepping, nobody held. */
static void detach(struct gdb_stub *gdb)
{
	if (gdb->running && !vm_pause_held_by(gdb->vm, VM_PAUSE_DEBUGGER))
		request_stop(gdb, 0, GDB_SIGINT, STOP_KIND_SIGNAL);
	wait_all_parked(gdb);
	struct gdb_cpu_state cpu;
	if (get_cpu(gdb, 0, &cpu) == 0)
		for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
			if (gdb->sw[k].used)
				sw_remove_slot(gdb, k, &cpu.sregs);
	memset(gdb->hw_used, 0, sizeof gdb->hw_used);
	memset(gdb->step, 0, sizeof gdb->step);
	bool all[VM_MAX_VCPUS];
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		all[i] = true;
	resume(gdb, all);
	gdb->running = false;
}

/* --- the wire -------------------------------------------------------------------------------- */

static void send_raw(struct gdb_stub *gdb, const char *data, size_t len)
{
	while (len > 0 && gdb->client_fd >= 0) {
		ssize_t n = write(gdb->client_fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) { /* gone or stuck: drop it; the guest runs on (stub_thread) */
			shutdown(gdb->client_fd, SHUT_RDWR);
			return;
		}
		data += n;
		len -= (size_t)n;
	}
}

static void send_packet(struct gdb_stub *gdb, const char *payload, size_t len)
{
	int n = gdb_frame(gdb->out, sizeof gdb->out, payload, len);
	if (n < 0)
		n = gdb_frame(gdb->out, sizeof gdb->out, "E01", 3);
	gdb->out_len = (size_t)n;
	send_raw(gdb, gdb->out, gdb->out_len);
}

static void send_str(struct gdb_stub *gdb, const char *s)
{
	send_packet(gdb, s, strlen(s));
}

static void send_stop_reply(struct gdb_stub *gdb)
{
	char buf[64];
	const char *why = gdb->stop_kind == STOP_KIND_SWBREAK	? "swbreak:;"
			  : gdb->stop_kind == STOP_KIND_HWBREAK ? "hwbreak:;"
								: "";
	snprintf(buf, sizeof buf, "T%02xthread:%02x;%s", gdb->stop_signal, gdb->stop_vcpu + 1, why);
	send_str(gdb, buf);
}

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
static int parse_addr_len(const char **p, const char *end, uint64_t *addr, uint64_t *len)
{
	if (gdb_parse_hex_u64(p, end, addr) || *p >= end || **p != ',')
		return -EINVAL;
	(*p)++;
	return gdb_parse_hex_u64(p, end, len);
}

/* --- commands ---------------------------------------------------------------------------- */

static void cmd_read_registers(struct gdb_stub *gdb)
{
	struct gdb_cpu_state cpu;
	if (get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		send_str(gdb, "E01");
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
	send_packet(gdb, gdb->reply, off);
}

static int put_regs(struct gdb_stub *gdb, const struct gdb_cpu_state *cpu)
{
	return ioctl(gdb->vm->vcpus[gdb->g_vcpu].fd, KVM_SET_REGS, &cpu->regs) < 0 ? -errno : 0;
}

static void cmd_write_registers(struct gdb_stub *gdb, const char *p, size_t len)
{
	struct gdb_cpu_state cpu;
	if (len != 2 * gdb_regs_total() || get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		send_str(gdb, "E01");
		return;
	}
	uint8_t bytes[16];
	for (unsigned n = 0; n < GDB_REG_COUNT; n++) {
		size_t size = gdb_reg_size(n);
		if (gdb_from_hex(p, size, bytes)) {
			send_str(gdb, "E01");
			return;
		}
		gdb_reg_set(&cpu, n, bytes); /* only the writable ones change */
		p += 2 * size;
	}
	send_str(gdb, put_regs(gdb, &cpu) ? "E01" : "OK");
}

static void cmd_read_register(struct gdb_stub *gdb, const char *p, const char *end)
{
	uint64_t n;
	struct gdb_cpu_state cpu;
	uint8_t bytes[16];
	if (gdb_parse_hex_u64(&p, end, &n) || p != end || n >= GDB_REG_COUNT ||
	    get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		send_str(gdb, "E01");
		return;
	}
	gdb_reg_get(&cpu, (unsigned)n, bytes);
	gdb_to_hex(bytes, gdb_reg_size((unsigned)n), gdb->reply);
	send_packet(gdb, gdb->reply, 2 * gdb_reg_size((unsigned)n));
}

static void cmd_write_register(struct gdb_stub *gdb, const char *p, const char *end)
{
	uint64_t n;
	struct gdb_cpu_state cpu;
	uint8_t bytes[16];
	if (gdb_parse_hex_u64(&p, end, &n) || p == end || *p != '=' || n >= GDB_REG_COUNT ||
	    (size_t)(end - p - 1) != 2 * gdb_reg_size((unsigned)n) ||
	    gdb_from_hex(p + 1, gdb_reg_size((unsigned)n), bytes) ||
	    get_cpu(gdb, gdb->g_vcpu, &cpu) || gdb_reg_set(&cpu, (unsigned)n, bytes) ||
	    put_regs(gdb, &cpu)) {
		send_str(gdb, "E01");
		return;
	}
	send_str(gdb, "OK");
}

/* Hides the stub's own 0xCC bytes from gdb's reads. */
static void unmask_breakpoints(struct gdb_stub *gdb, uint64_t va, uint8_t *buf, size_t len)
{
	for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
		if (gdb->sw[k].used && gdb->sw[k].addr - va < len)
			buf[gdb->sw[k].addr - va] = gdb->sw[k].saved;
}

/* A write over a planted breakpoint changes the saved byte; the 0xCC stays. */
static void keep_breakpoints(struct gdb_stub *gdb, uint64_t va, uint8_t *buf, size_t len)
{
	for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
		if (gdb->sw[k].used && gdb->sw[k].addr - va < len) {
			gdb->sw[k].saved = buf[gdb->sw[k].addr - va];
			buf[gdb->sw[k].addr - va] = 0xcc;
		}
}

static void cmd_read_memory(struct gdb_stub *gdb, const char *p, const char *end)
{
	uint64_t addr, len;
	static uint8_t buf[GDB_PACKET_MAX / 2];
	struct gdb_cpu_state cpu;
	if (parse_addr_len(&p, end, &addr, &len) || p != end || get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		send_str(gdb, "E01");
		return;
	}
	if (len > sizeof buf)
		len = sizeof buf; /* gdb asks again for the rest */
	size_t done = access_virt(gdb, &cpu.sregs, addr, buf, (size_t)len, false);
	if (done == 0 && len > 0) {
		send_str(gdb, "E0e"); /* EFAULT */
		return;
	}
	unmask_breakpoints(gdb, addr, buf, done);
	gdb_to_hex(buf, done, gdb->reply);
	send_packet(gdb, gdb->reply, 2 * done);
}

static void cmd_write_memory(struct gdb_stub *gdb, const char *p, const char *end, bool binary)
{
	uint64_t addr, len;
	static uint8_t buf[GDB_PACKET_MAX];
	struct gdb_cpu_state cpu;
	if (parse_addr_len(&p, end, &addr, &len) || p == end || *p != ':' || len > sizeof buf ||
	    get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		send_str(gdb, "E01");
		return;
	}
	p++;
	if (binary) {
		int n = gdb_unescape_binary(p, (size_t)(end - p), buf, sizeof buf);
		if (n < 0 || (uint64_t)n != len) {
			send_str(gdb, "E01");
			return;
		}
	} else if ((size_t)(end - p) != 2 * len || gdb_from_hex(p, (size_t)len, buf)) {
		send_str(gdb, "E01");
		return;
	}
	if (len == 0) { /* X with no data: gdb's probe for binary support */
		send_str(gdb, "OK");
		return;
	}
	keep_breakpoints(gdb, addr, buf, (size_t)len);
	size_t done = access_virt(gdb, &cpu.sregs, addr, buf, (size_t)len, true);
	send_str(gdb, done == len ? "OK" : "E0e");
}

static void cmd_breakpoint(struct gdb_stub *gdb, bool insert, const char *p, const char *end)
{
	uint64_t type, addr, kind;
	struct gdb_cpu_state cpu;
	if (gdb_parse_hex_u64(&p, end, &type) || p == end || *p++ != ',' ||
	    parse_addr_len(&p, end, &addr, &kind)) {
		send_str(gdb, "E01");
		return;
	}
	if (type == 0) {
		int r = get_cpu(gdb, gdb->g_vcpu, &cpu);
		if (!r && insert && ring3_unsupported(gdb) && user_page(gdb, &cpu.sregs, addr))
			r = -EPERM; /* user code: not on this host yet (docs/debugging.md) */
		if (!r)
			r = insert ? sw_insert(gdb, &cpu.sregs, addr)
				   : sw_remove(gdb, &cpu.sregs, addr);
		send_str(gdb, r ? "E0e" : "OK");
		return;
	}
	if (type == 1 && gdb->host.hw_breakpoint != GDB_MISSING) {
		int free_slot = -1;
		for (int k = 0; k < GDB_MAX_HW_BP; k++) {
			if (gdb->hw_used[k] && gdb->hw_addr[k] == addr) {
				if (!insert)
					gdb->hw_used[k] = false;
				send_str(gdb, "OK");
				return;
			}
			if (!gdb->hw_used[k] && free_slot < 0)
				free_slot = k;
		}
		if (!insert) {
			send_str(gdb, "OK");
			return;
		}
		if (free_slot < 0) {
			send_str(gdb, "E1c"); /* ENOSPC: four debug registers */
			return;
		}
		gdb->hw_used[free_slot] = true;
		gdb->hw_addr[free_slot] = addr;
		send_str(gdb, "OK");
		return;
	}
	send_str(gdb, ""); /* watchpoints, or what KVM lacks here: gdb says unsupported */
}

/* Refuses (E packet, nothing resumed) a step of a vCPU in ring 3 where KVM cannot see it. */
static bool step_refused(struct gdb_stub *gdb)
{
	for (unsigned i = 0; i < gdb->vm->vcpu_count; i++) {
		struct kvm_sregs sregs;
		if (gdb->step[i] && ring3_unsupported(gdb) &&
		    ioctl(gdb->vm->vcpus[i].fd, KVM_GET_SREGS, &sregs) == 0 &&
		    (sregs.cs.selector & 3) == 3) {
			static const char note[] =
			    "minivmm: cannot step in guest ring 3 on this host "
			    "(its #DB goes to the guest); see "
			    "docs/debugging.md\n";
			memset(gdb->step, 0, sizeof gdb->step);
			gdb->reply[0] =
			    'O'; /* console output for gdb, then "stopped where it was" */
			gdb_to_hex((const uint8_t *)note, sizeof note - 1, gdb->reply + 1);
			send_packet(gdb, gdb->reply, 1 + 2 * (sizeof note - 1));
			gdb->stop_vcpu = i;
			gdb->stop_signal = GDB_SIGTRAP;
			gdb->stop_kind = STOP_KIND_SIGNAL;
			send_stop_reply(gdb);
			return true;
		}
	}
	return false;
}

/* c, s, C, S (an address to resume at is refused: gdb does not send it). */
static void cmd_resume_all(struct gdb_stub *gdb, bool step, const char *p, const char *end)
{
	if (p != end && (p[0] != ';' || end - p < 2) && gdb_hex_digit((unsigned char)*p) < 0) {
		send_str(gdb, "E01");
		return;
	}
	bool run[VM_MAX_VCPUS];
	unsigned stepper = gdb->c_vcpu;
	memset(gdb->step, 0, sizeof gdb->step);
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		run[i] = true;
	if (step)
		gdb->step[stepper] = true;
	if (!step_refused(gdb))
		resume(gdb, run);
}

/* vCont;ACTION[:THREAD];... : the first action that names a vCPU wins for it. */
static void cmd_vcont(struct gdb_stub *gdb, const char *p, const char *end)
{
	bool run[VM_MAX_VCPUS] = {false}, decided[VM_MAX_VCPUS] = {false};
	memset(gdb->step, 0, sizeof gdb->step);
	unsigned n = gdb->vm->vcpu_count;
	while (p < end) {
		if (*p++ != ';' || p >= end) {
			send_str(gdb, "E01");
			return;
		}
		char action = *p++;
		if (action == 'C' || action == 'S') { /* a signal number: ignored for a machine */
			uint64_t sig;
			if (gdb_parse_hex_u64(&p, end, &sig)) {
				send_str(gdb, "E01");
				return;
			}
			action = (char)(action - 'A' + 'a');
		}
		if (action != 'c' && action != 's') {
			send_str(gdb, "E01");
			return;
		}
		int vcpu = -1;
		if (p < end && *p == ':') {
			const char *t = ++p;
			while (p < end && *p != ';')
				p++;
			if (parse_thread(t, p, &vcpu) || (vcpu >= 0 && !thread_ok(gdb, vcpu))) {
				send_str(gdb, "E01");
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
	if (!step_refused(gdb))
		resume(gdb, run);
}

static void cmd_query(struct gdb_stub *gdb, const char *p, const char *end)
{
	size_t len = (size_t)(end - p);
	if (len >= 10 && memcmp(p, "qSupported", 10) == 0) {
		send_str(gdb, "PacketSize=1000;qXfer:features:read+;swbreak+;hwbreak+;"
			      "QStartNoAckMode+;vContSupported+");
	} else if (strcmp(p, "qfThreadInfo") == 0) {
		int off = snprintf(gdb->reply, sizeof gdb->reply, "m");
		for (unsigned i = 0; i < gdb->vm->vcpu_count; i++)
			off += snprintf(gdb->reply + off, sizeof gdb->reply - (size_t)off, "%s%x",
					i ? "," : "", i + 1);
		send_str(gdb, gdb->reply);
	} else if (strcmp(p, "qsThreadInfo") == 0) {
		send_str(gdb, "l");
	} else if (strcmp(p, "qC") == 0) {
		snprintf(gdb->reply, sizeof gdb->reply, "QC%x", gdb->g_vcpu + 1);
		send_str(gdb, gdb->reply);
	} else if (strcmp(p, "qAttached") == 0) {
		send_str(gdb, "1");
	} else if (len > 33 && memcmp(p, "qXfer:features:read:target.xml:", 31) == 0) {
		const char *q = p + 31;
		uint64_t off, want;
		if (parse_addr_len(&q, end, &off, &want) || q != end) {
			send_str(gdb, "E01");
			return;
		}
		if (off > gdb_target_xml_len) {
			send_str(gdb, "E01");
			return;
		}
		size_t left = gdb_target_xml_len - (size_t)off;
		if (want > GDB_PACKET_MAX / 2 - 1)
			want = GDB_PACKET_MAX / 2 - 1; /* escaping may double each byte */
		size_t n = left < want ? left : (size_t)want;
		gdb->reply[0] = n < left ? 'm' : 'l';
		int e = gdb_escape_binary((const uint8_t *)gdb_target_xml + off, n, gdb->reply + 1,
					  sizeof gdb->reply - 1);
		send_packet(gdb, gdb->reply, e < 0 ? 0 : (size_t)e + 1);
	} else if (len >= 10 && memcmp(p, "qXfer:", 6) == 0) {
		send_str(gdb, "E00"); /* an annex or object we do not serve */
	} else {
		send_str(gdb, ""); /* unsupported */
	}
}

static void handle_packet(struct gdb_stub *gdb, const char *p, size_t len)
{
	const char *end = p + len;
	int vcpu;
	if (len == 0) {
		send_str(gdb, "");
		return;
	}
	switch (p[0]) {
	case '?':
		send_stop_reply(gdb);
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
		cmd_read_memory(gdb, p + 1, end);
		return;
	case 'M':
		cmd_write_memory(gdb, p + 1, end, false);
		return;
	case 'X':
		cmd_write_memory(gdb, p + 1, end, true);
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
		cmd_breakpoint(gdb, p[0] == 'Z', p + 1, end);
		return;
	case 'H':
		if (len < 3 || (p[1] != 'g' && p[1] != 'c') || parse_thread(p + 2, end, &vcpu) ||
		    (vcpu >= 0 && !thread_ok(gdb, vcpu))) {
			send_str(gdb, "E01");
			return;
		}
		if (vcpu >= 0)
			*(p[1] == 'g' ? &gdb->g_vcpu : &gdb->c_vcpu) = (unsigned)vcpu;
		send_str(gdb, "OK");
		return;
	case 'T':
		send_str(gdb, parse_thread(p + 1, end, &vcpu) == 0 && thread_ok(gdb, vcpu) ? "OK"
											   : "E01");
		return;
	case 'D':
		send_str(gdb, "OK");
		detach(gdb);
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
			send_str(gdb, "OK");
			gdb->no_ack = true;
		} else {
			send_str(gdb, "");
		}
		return;
	case 'v':
		if (strcmp(p, "vCont?") == 0)
			send_str(gdb, "vCont;c;C;s;S");
		else if (len >= 5 && memcmp(p, "vCont", 5) == 0)
			cmd_vcont(gdb, p + 5, end);
		else
			send_str(gdb, "");
		return;
	default:
		send_str(gdb, "");
		return;
	}
}

/* --- the thread ---------------------------------------------------------------------------- */

static void on_stop_event(struct gdb_stub *gdb)
{
	bool pending;
	pthread_mutex_lock(&gdb->lock);
	pending = gdb->stop_pending;
	pthread_mutex_unlock(&gdb->lock);
	if (!gdb->running || !pending)
		return;
	wait_all_parked(gdb);
	memset(gdb->step, 0, sizeof gdb->step);
	gdb->running = false;
	gdb->g_vcpu = gdb->c_vcpu = gdb->stop_vcpu;
	send_stop_reply(gdb);
}

static void on_client_bytes(struct gdb_stub *gdb, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n && gdb->client_fd >= 0; i++) {
		switch (gdb_rx_byte(&gdb->rx, buf[i])) {
		case GDB_RX_PACKET:
			if (!gdb->no_ack)
				send_raw(gdb, "+", 1);
			if (gdb->running) /* all-stop: only Ctrl-C while the guest runs */
				break;
			handle_packet(gdb, gdb->rx.buf, gdb->rx.len);
			break;
		case GDB_RX_BAD_CHECKSUM:
		case GDB_RX_MALFORMED:
			send_raw(gdb, "-", 1);
			break;
		case GDB_RX_NACK:
			send_raw(gdb, gdb->out, gdb->out_len);
			break;
		case GDB_RX_INTERRUPT:
			if (gdb->running)
				request_stop(gdb, gdb->c_vcpu, GDB_SIGINT, STOP_KIND_SIGNAL);
			break;
		case GDB_RX_ACK:
		case GDB_RX_NONE:
			break;
		}
	}
}

static void on_connect(struct gdb_stub *gdb, int fd)
{
	int one = 1;
	if (!gdb->addr.is_unix)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* A client that stops reading must not hold the stub (and so the VMM's end) forever. */
	struct timeval send_timeout = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
	gdb->client_fd = fd;
	gdb->no_ack = false;
	gdb->running = false;
	gdb_rx_init(&gdb->rx);
	gdb->out_len = 0;
	/* gdb expects a stopped target when it connects (QEMU stops its guest too). */
	request_stop(gdb, 0, GDB_SIGTRAP, STOP_KIND_SIGNAL);
	wait_all_parked(gdb);
	gdb->g_vcpu = gdb->c_vcpu = gdb->stop_vcpu;
}

static void send_exit(struct gdb_stub *gdb)
{
	struct stop_request *stop = &gdb->vm->stop;
	char buf[16];
	int reason = atomic_load(&stop->reason);
	if (reason == STOP_GUEST_EXIT)
		snprintf(buf, sizeof buf, "W%02x", stop->status & 0xff);
	else if (reason == STOP_SIGNAL && stop->status > VMM_EXIT_SIGNAL_BASE)
		snprintf(buf, sizeof buf, "X%02x", (stop->status - VMM_EXIT_SIGNAL_BASE) & 0xff);
	else
		snprintf(buf, sizeof buf, "X%02x", 11); /* a fault or another stop: SIGSEGV */
	send_str(gdb, buf);
}

static void *stub_thread(void *arg)
{
	struct gdb_stub *gdb = arg;
	uint8_t buf[4096];
	for (;;) {
		struct pollfd fds[3] = {
		    {.fd = gdb->wake_rd, .events = POLLIN},
		    {.fd = gdb->listen_fd, .events = POLLIN},
		    {.fd = gdb->client_fd, .events = POLLIN},
		};
		int r = poll(fds, gdb->client_fd >= 0 ? 3 : 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (fds[0].revents) {
			ssize_t ignored = read(gdb->wake_rd, buf, sizeof buf);
			(void)ignored;
			if (atomic_load(&gdb->vm_done)) {
				if (gdb->client_fd >= 0 && gdb->running)
					send_exit(gdb);
				break;
			}
			if (gdb->client_fd >= 0)
				on_stop_event(gdb);
		}
		if (fds[1].revents) {
			int fd = accept4(gdb->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0 && gdb->client_fd >= 0)
				close(fd); /* one client at a time */
			else if (fd >= 0)
				on_connect(gdb, fd);
		}
		if (gdb->client_fd >= 0 && fds[2].revents) {
			ssize_t n = read(gdb->client_fd, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) { /* gone: the guest runs on, as after D */
				detach(gdb);
				close(gdb->client_fd);
				gdb->client_fd = -1;
				continue;
			}
			on_client_bytes(gdb, buf, (size_t)n);
		}
	}
	if (gdb->client_fd >= 0)
		close(gdb->client_fd);
	gdb->client_fd = -1;
	return NULL;
}

/* --- set-up ------------------------------------------------------------------------------ */

static int listen_on(const struct gdb_address *a, struct vmm_error *err)
{
	int fd;
	if (a->is_unix) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		memcpy(sun.sun_path, a->path, strlen(a->path) + 1);
		struct stat st;
		if (lstat(a->path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode))
				return vmm_error_set(err, -EEXIST, VMM_EXIT_USAGE,
						     "--gdb unix:%s: the path exists and is not a "
						     "socket: give another path",
						     a->path);
			unlink(a->path); /* a stale socket of an earlier run */
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		mode_t old = umask(0177); /* the socket is born 0600 */
		int r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
		umask(old);
		if (r < 0 || chmod(a->path, 0600) < 0)
			goto fail_close;
	} else {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(a->port)};
		inet_pton(AF_INET, a->host, &sin.sin_addr);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
			goto fail_close;
	}
	if (listen(fd, 1) < 0)
		goto fail_close;
	return fd;
fail_close:;
	int e = errno;
	close(fd);
	errno = e;
fail:
	e = errno;
	if (a->is_unix)
		return vmm_error_set(err, -e, VMM_EXIT_HOST_RESOURCES,
				     "--gdb: cannot listen on unix:%s: %s; give a writable path",
				     a->path, strerror(e));
	return vmm_error_set(err, -e, VMM_EXIT_HOST_RESOURCES,
			     "--gdb: cannot listen on %s:%u: %s; give a free port", a->host,
			     a->port, strerror(e));
}

int gdb_stub_start(struct vm *vm, const struct gdb_address *addr, bool wait, struct vmm_error *err)
{
	struct gdb_stub *gdb = calloc(1, sizeof *gdb);
	if (!gdb)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "out of memory for the gdb stub");
	gdb->vm = vm;
	gdb->addr = *addr;
	gdb->client_fd = -1;
	gdb->wake_rd = gdb->wake_wr = -1;
	pthread_mutex_init(&gdb->lock, NULL);
	int caps = kvm_check_extension(&vm->kvm, KVM_CAP_SET_GUEST_DEBUG2);
	gdb->blockirq = caps > 0 ? ((uint32_t)caps & KVM_GUESTDBG_BLOCKIRQ) : 0;
	struct vmm_error probe_err;
	if (gdb_probe_host(vm->cfg.kvm_device, &gdb->host, &probe_err)) {
		/* Could not tell: offer everything and let KVM refuse what it lacks. */
		gdb->host = (struct gdb_host_debug){GDB_EMULATED, GDB_EMULATED, GDB_EMULATED,
						    GDB_MISSING, false};
	}
	if (wait) /* held before the first instruction, as if stopped there */
		request_stop(gdb, 0, GDB_SIGTRAP, STOP_KIND_SIGNAL);
	int pipe_fds[2];
	int ret = 0;
	gdb->listen_fd = listen_on(addr, err);
	if (gdb->listen_fd < 0) {
		ret = gdb->listen_fd;
		goto fail;
	}
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				    "--gdb: cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	gdb->wake_rd = pipe_fds[0];
	gdb->wake_wr = pipe_fds[1];
	vm->gdb = gdb;
	int r = pthread_create(&gdb->thread, NULL, stub_thread, gdb);
	if (r) {
		vm->gdb = NULL;
		ret = vmm_error_set(err, -r, VMM_EXIT_HOST_RESOURCES,
				    "--gdb: cannot start the stub's thread: %s", strerror(r));
		goto fail;
	}
	gdb->thread_started = true;
	pthread_setname_np(gdb->thread, "minivmm-gdb"); /* before the sandbox: /proc/self/task */
	if (addr->is_unix)
		fprintf(stderr, "minivmm: gdb: listening on unix:%s%s\n", addr->path,
			wait ? " (the guest waits for gdb)" : "");
	else
		fprintf(stderr, "minivmm: gdb: listening on %s:%u%s\n", addr->host, addr->port,
			wait ? " (the guest waits for gdb)" : "");
	return 0;
fail:
	if (gdb->listen_fd >= 0)
		close(gdb->listen_fd);
	if (gdb->wake_rd >= 0) {
		close(gdb->wake_rd);
		close(gdb->wake_wr);
	}
	free(gdb);
	return ret;
}

void gdb_stub_finish(struct vm *vm)
{
	struct gdb_stub *gdb = vm->gdb;
	if (!gdb)
		return;
	atomic_store(&gdb->vm_done, true);
	wake_stub(gdb);
	if (gdb->thread_started)
		pthread_join(gdb->thread, NULL);
	close(gdb->listen_fd);
	close(gdb->wake_rd);
	close(gdb->wake_wr);
	pthread_mutex_destroy(&gdb->lock);
	vm->gdb = NULL;
	free(gdb);
}
