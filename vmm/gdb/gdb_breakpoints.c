/* SPDX-License-Identifier: MIT */
/*
 * Z/z packets: software breakpoints (an int3 written into guest memory, hidden from gdb's
 * reads) and hardware ones (DR0-DR3 through KVM_SET_GUEST_DEBUG, api.rst 4.59).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdb/gdb_frame.h"
#include "gdb/gdb_stub_internal.h"

bool gdb_is_stub_breakpoint(struct gdb_stub *gdb, uint64_t rip)
{
	bool found = false;
	pthread_mutex_lock(&gdb->lock);
	for (unsigned i = 0; i < GDB_MAX_SW_BP && !found; i++)
		found = gdb->sw[i].used && gdb->sw[i].addr == rip;
	pthread_mutex_unlock(&gdb->lock);
	return found;
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
	uint8_t *p = gdb_guest_virt(gdb, s, addr, 1);
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

void gdb_sw_remove_slot(struct gdb_stub *gdb, unsigned k, const struct kvm_sregs *s)
{
	uint8_t *p = gdb_guest_virt(gdb, s, gdb->sw[k].addr, 1);
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
			gdb_sw_remove_slot(gdb, k, s);
			return 0;
		}
	return 0; /* removing what is not there is not an error */
}

/* Hides the stub's own 0xCC bytes from gdb's reads. */
void gdb_bp_unmask(struct gdb_stub *gdb, uint64_t va, uint8_t *buf, size_t len)
{
	for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
		if (gdb->sw[k].used && gdb->sw[k].addr - va < len)
			buf[gdb->sw[k].addr - va] = gdb->sw[k].saved;
}

/* A write over a planted breakpoint changes the saved byte; the 0xCC stays. */
void gdb_bp_keep(struct gdb_stub *gdb, uint64_t va, uint8_t *buf, size_t len)
{
	for (unsigned k = 0; k < GDB_MAX_SW_BP; k++)
		if (gdb->sw[k].used && gdb->sw[k].addr - va < len) {
			gdb->sw[k].saved = buf[gdb->sw[k].addr - va];
			buf[gdb->sw[k].addr - va] = 0xcc;
		}
}

void gdb_cmd_breakpoint(struct gdb_stub *gdb, bool insert, const char *p, const char *end)
{
	uint64_t type, addr, kind;
	struct gdb_cpu_state cpu;
	if (gdb_parse_hex_u64(&p, end, &type) || p == end || *p++ != ',' ||
	    gdb_parse_addr_len(&p, end, &addr, &kind)) {
		gdb_send_str(gdb, "E01");
		return;
	}
	if (type == 0) {
		int r = gdb_get_cpu(gdb, gdb->g_vcpu, &cpu);
		bool user = !r && gdb_user_page(gdb, &cpu.sregs, addr);
		/* An int3 in user code that nobody would see would end the guest's program. */
		if (user && insert && !gdb_ring3_possible(gdb, &cpu.sregs, X86_VECTOR_BP))
			r = -EPERM;
		if (!r)
			r = insert ? sw_insert(gdb, &cpu.sregs, addr)
				   : sw_remove(gdb, &cpu.sregs, addr);
		gdb_send_str(gdb, r ? "E0e" : "OK");
		return;
	}
	if (type == 1 && gdb->host.hw_breakpoint != GDB_MISSING) {
		/* Debug registers never fire in a ring 3 KVM does not see: refuse, do not ignore.
		 */
		if (insert && gdb_ring3_by_idt(gdb) &&
		    (gdb_get_cpu(gdb, gdb->g_vcpu, &cpu) || gdb_user_page(gdb, &cpu.sregs, addr))) {
			gdb_send_str(gdb, "E0e");
			return;
		}
		int r = insert ? gdb_hw_insert(gdb, 1, addr, 1) : gdb_hw_remove(gdb, 1, addr);
		gdb_send_str(gdb, r == -ENOSPC ? "E1c" : r ? "E16" : "OK");
		return;
	}
	if (type >= 2 && type <= 4) {
		gdb_cmd_watchpoint(gdb, insert, (unsigned)type, addr, kind);
		return;
	}
	gdb_send_str(gdb, ""); /* what KVM lacks here: gdb says unsupported */
}

/* DR7's R/W and LEN fields for a Z type and length (Intel SDM vol. 3A 17.2.4). */
static int dr7_fields(unsigned type, uint64_t addr, uint64_t len, unsigned *rw, unsigned *len_code)
{
	*rw = type == 1 ? 0 : type == 2 ? 1 : 3; /* execute, write, read or write */
	if (type == 1) {
		*len_code = 0;
		return 0;
	}
	if ((len != 1 && len != 2 && len != 4 && len != 8) || addr % len)
		return -EINVAL; /* a data breakpoint covers 1, 2, 4 or 8 aligned bytes */
	*len_code = len == 1 ? 0 : len == 2 ? 1 : len == 8 ? 2 : 3;
	return 0;
}

int gdb_hw_insert(struct gdb_stub *gdb, unsigned type, uint64_t addr, uint64_t len)
{
	unsigned rw, len_code;
	if (dr7_fields(type, addr, len, &rw, &len_code))
		return -EINVAL;
	int free_slot = -1;
	for (int k = 0; k < GDB_MAX_HW_BP; k++) {
		if (gdb->hw[k].used && gdb->hw[k].z_type == type && gdb->hw[k].addr == addr)
			return 0;
		if (!gdb->hw[k].used && free_slot < 0)
			free_slot = k;
	}
	if (free_slot < 0)
		return -ENOSPC; /* four debug registers */
	gdb->hw[free_slot] = (struct gdb_hw_slot){
	    .used = true, .z_type = type, .addr = addr, .rw = rw, .len_code = len_code};
	return 0;
}

int gdb_hw_remove(struct gdb_stub *gdb, unsigned type, uint64_t addr)
{
	for (int k = 0; k < GDB_MAX_HW_BP; k++)
		if (gdb->hw[k].used && gdb->hw[k].z_type == type && gdb->hw[k].addr == addr)
			gdb->hw[k].used = false;
	return 0; /* removing what is not there is not an error */
}
