/* SPDX-License-Identifier: MIT */
/*
 * The gdb stub's shared state and the functions its files give each other (gdb_stub.h is the
 * outside's view). One file per responsibility:
 *   gdb_server.c       the socket, the stub's thread, framing replies, start and finish
 *   gdb_commands.c     packet dispatch, registers, queries, c/s/vCont parsing
 *   gdb_run_control.c  stops (vm_pause_hold), claiming exits, resuming, stepping, detach
 *   gdb_breakpoints.c  Z/z: software (int3) and hardware (debug register) breakpoints
 *   gdb_memory.c       guest virtual memory through the page tables, m/M/X
 * Everything runs on the stub's thread except gdb_stub_claim_exit and what it calls (a vCPU's
 * thread); what both touch is under gdb->lock.
 */
#ifndef MINIVMM_GDB_STUB_INTERNAL_H
#define MINIVMM_GDB_STUB_INTERNAL_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdb/gdb_address.h"
#include "gdb/gdb_packet.h"
#include "gdb/gdb_probe.h"
#include "gdb/gdb_regs.h"
#include "gdb/gdb_stub.h"
#include "machine/mem_slots.h"
#include "machine/vm.h"

#define GDB_MAX_SW_BP	    64
#define GDB_MAX_HW_BP	    4
#define GDB_SIGINT	    2
#define GDB_SIGTRAP	    5
#define GDB_PARK_TIMEOUT_MS 10000

#define GDB_MAX_WATCH	  4
#define GDB_WATCH_MAX_LEN 4096 /* at most two pages read-only per watchpoint */

enum stop_kind {
	STOP_KIND_SIGNAL,
	STOP_KIND_SWBREAK,
	STOP_KIND_HWBREAK,
	STOP_KIND_WATCH,
	STOP_KIND_RWATCH,
	STOP_KIND_AWATCH,
};

/* A debug register: an execution breakpoint (Z1) or, where the host has data breakpoints
 * natively, a watchpoint (Z2-Z4). */
struct gdb_hw_slot {
	bool used;
	unsigned z_type; /* 1-4, gdb's Z type */
	uint64_t addr;
	unsigned rw, len_code; /* DR7's R/W and LEN fields */
};

/* A write watchpoint through read-only pages (gdb_watch.c): the guest-physical bytes it covers,
 * one run per page, found at insert through the page tables. */
struct gdb_watch {
	bool used;
	uint64_t va, len;
	unsigned runs;
	uint64_t gpa[2], run_len[2];
};

struct gdb_sw_bp {
	bool used;
	uint64_t addr, gpa;
	uint8_t saved; /* the guest's byte under the 0xCC */
};

/* An int3 of the stub's at the entry of the guest's #DB or #BP handler (gdb_ring3.c). */
#define GDB_RING3_TRAPS 2
struct gdb_ring3_trap {
	bool planted;
	uint64_t addr; /* the handler's virtual address */
	uint8_t *hva;
	uint8_t saved;
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
	/* Ring 3 through the guest's IDT (gdb_ring3.c): a step by the trap flag under way (and
	 * whether the guest had set TF itself), a ring-0 step over a lifted trap. */
	bool user_step[VM_MAX_VCPUS];
	bool user_step_guest_tf[VM_MAX_VCPUS];
	bool trap_pass[VM_MAX_VCPUS];
	unsigned trap_pass_which[VM_MAX_VCPUS];
	struct gdb_ring3_trap trap[GDB_RING3_TRAPS];
	atomic_bool ring3_retry; /* traps wanted, the IDT was not there yet */
	bool stop_pending;	 /* a stop gdb has not been told about */
	unsigned stop_vcpu;
	int stop_signal;
	enum stop_kind stop_kind;
	uint64_t stop_addr; /* the data address of a watchpoint stop */
	struct gdb_sw_bp sw[GDB_MAX_SW_BP];
	struct gdb_hw_slot hw[GDB_MAX_HW_BP];
	/* Write watchpoints by read-only pages: changed only while every vCPU is parked. */
	struct gdb_watch watch[GDB_MAX_WATCH];
	unsigned watch_pages; /* read-only pages now in the layout; 0: none */
	uint64_t watch_page[MEM_SLOTS_MAX_RO_PAGES];
	struct mem_slot_layout slots; /* the VM's memory slots as the stub last set them */
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

/* gdb_server.c */
void gdb_wake_thread(struct gdb_stub *gdb);
void gdb_send_raw(struct gdb_stub *gdb, const char *data, size_t len);
void gdb_send_packet(struct gdb_stub *gdb, const char *payload, size_t len);
void gdb_send_str(struct gdb_stub *gdb, const char *s);

/* gdb_commands.c */
void gdb_handle_packet(struct gdb_stub *gdb, const char *p, size_t len);
/* "addr,len" then an optional ':' (M, X) or ';'/end. */
int gdb_parse_addr_len(const char **p, const char *end, uint64_t *addr, uint64_t *len);

/* gdb_run_control.c */
/* Asks every vCPU to park (machine/pause.h); the first stop since the last resume is the one
 * reported. Any thread. */
void gdb_request_stop(struct gdb_stub *gdb, unsigned vcpu, int sig, enum stop_kind kind);
void gdb_request_stop_at(struct gdb_stub *gdb, unsigned vcpu, int sig, enum stop_kind kind,
			 uint64_t addr);
/* Waits (bounded) until no live vCPU is inside KVM_RUN. */
void gdb_wait_all_parked(struct gdb_stub *gdb);
/* KVM_SET_GUEST_DEBUG for vCPU i from the breakpoints, its step and a pending injection. */
int gdb_set_guest_debug(struct gdb_stub *gdb, unsigned i);
/* Releases the parked vCPUs: those with run[i] set run (step[i]: one instruction). */
void gdb_resume(struct gdb_stub *gdb, const bool *run);
/* Back to a guest that runs without a debugger: no breakpoints, no stepping, nobody held. */
void gdb_detach(struct gdb_stub *gdb);
void gdb_send_stop_reply(struct gdb_stub *gdb);
/* Refuses (a stop reply, nothing resumed) a step the host cannot do; true if it did. */
bool gdb_step_refused(struct gdb_stub *gdb);

/* gdb_breakpoints.c */
bool gdb_is_stub_breakpoint(struct gdb_stub *gdb, uint64_t rip);
void gdb_sw_remove_slot(struct gdb_stub *gdb, unsigned k, const struct kvm_sregs *s);
/* Hides the stub's own 0xCC bytes from gdb's reads. */
void gdb_bp_unmask(struct gdb_stub *gdb, uint64_t va, uint8_t *buf, size_t len);
/* A write over a planted breakpoint changes the saved byte; the 0xCC stays. */
void gdb_bp_keep(struct gdb_stub *gdb, uint64_t va, uint8_t *buf, size_t len);
void gdb_cmd_breakpoint(struct gdb_stub *gdb, bool insert, const char *p, const char *end);
/* A debug register for Z type 1-4 at addr (len: 1, 2, 4 or 8, aligned, for data). Returns 0,
 * -EINVAL or -ENOSPC. */
int gdb_hw_insert(struct gdb_stub *gdb, unsigned type, uint64_t addr, uint64_t len);
int gdb_hw_remove(struct gdb_stub *gdb, unsigned type, uint64_t addr);

/* gdb_watch.c */
void gdb_cmd_watchpoint(struct gdb_stub *gdb, bool insert, unsigned type, uint64_t addr,
			uint64_t len);
/* Detach: every read-only page back to read-write. */
void gdb_watch_remove_all(struct gdb_stub *gdb);
/* vCPU thread, a KVM_EXIT_MMIO: true if it was a write to a watched page (completed). */
bool gdb_watch_claim_mmio(struct gdb_stub *gdb, struct vcpu *vcpu);

/* gdb_ring3.c: ring 3 where KVM does not see its #BP/#DB (software breakpoints "emulated") */
bool gdb_ring3_by_idt(struct gdb_stub *gdb);
/* Whether a #BP/#DB (vector) in ring 3 reaches the stub: natively, or through a trap at its
 * handler (the IDT of s is readable and sane). */
bool gdb_ring3_possible(struct gdb_stub *gdb, const struct kvm_sregs *s, unsigned vector);
/* Stub thread, every vCPU parked: plant the traps if a user breakpoint or step needs them;
 * lift them (and any unfinished step's trap flag). */
void gdb_ring3_plant(struct gdb_stub *gdb);
void gdb_ring3_unplant(struct gdb_stub *gdb);
/* vCPU thread, any exit while ring3_retry: plant from this vCPU's IDT if it has one now. */
void gdb_ring3_retry_plant(struct gdb_stub *gdb, struct vcpu *vcpu);
/* Stub thread: vCPU i (in ring 3, parked) steps one instruction by the trap flag. */
int gdb_ring3_prepare_step(struct gdb_stub *gdb, unsigned i);
/* vCPU thread, an emulation failure at regs->rip: true if it was a trap (a stop of gdb's, or
 * the guest's own exception passed through). */
bool gdb_ring3_claim_trap(struct gdb_stub *gdb, struct vcpu *vcpu, struct kvm_regs *regs);
/* vCPU thread, a KVM_EXIT_DEBUG: true if it ends a step over a lifted trap. */
bool gdb_ring3_claim_pass_step(struct gdb_stub *gdb, struct vcpu *vcpu);

/* gdb_memory.c */
int gdb_get_cpu(struct gdb_stub *gdb, unsigned i, struct gdb_cpu_state *cpu);
/* A guest virtual address to a host pointer for at most len bytes within its page, through
 * the page tables in s. NULL if unmapped, non-canonical or not RAM. */
uint8_t *gdb_guest_virt(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va, size_t len);
bool gdb_user_page(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va);
/* Reads or writes len bytes at va, page by page. Returns the bytes done (a prefix), 0 if none. */
size_t gdb_access_virt(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va, uint8_t *buf,
		       size_t len, bool write);
void gdb_cmd_read_memory(struct gdb_stub *gdb, const char *p, const char *end);
void gdb_cmd_write_memory(struct gdb_stub *gdb, const char *p, const char *end, bool binary);

#endif
