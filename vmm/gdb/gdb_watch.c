/* SPDX-License-Identifier: MIT */
/*
 * Watchpoints (Z2-Z4). Where the host runs the guest on VT-x/SVM its debug registers catch data
 * accesses (the probe says watchpoints "native"): they go into DR0-DR3 beside the hardware
 * breakpoints, through KVM_SET_GUEST_DEBUG.
 *
 * Where they never fire (kvm_pvm: the probe says "missing"), write watchpoints (Z2) are made
 * with read-only memory (KVM_CAP_READONLY_MEM): the guest pages under the watched bytes, found
 * through the page tables at insert, become a KVM_MEM_READONLY slot (machine/mem_slots.c splits
 * the RAM slot), so every guest write to them exits as KVM_EXIT_MMIO. minivmm does the store
 * itself (into RAM, also for bytes of the page outside the watched range), and when the store
 * touches the watched bytes it lets KVM finish the instruction (KVM_RUN with immediate_exit,
 * api.rst 5: "complete pending operations without allowing any further instructions") and
 * reports `T05watch:ADDR;` after it, as a data breakpoint would.
 *
 * The watch is on guest-physical memory: if the guest maps the virtual address elsewhere later,
 * writes through the new mapping are not seen (and writes to the old page still are) until gdb
 * inserts the watchpoint again. Writes by devices (virtio DMA) are not seen either.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdb/gdb_stub_internal.h"

/* Makes the layout of the read-only pages every watchpoint needs. Every vCPU is parked. */
static int apply_pages(struct gdb_stub *gdb)
{
	uint64_t pages[MEM_SLOTS_MAX_RO_PAGES];
	unsigned n = 0;
	for (unsigned w = 0; w < GDB_MAX_WATCH; w++)
		for (unsigned r = 0; gdb->watch[w].used && r < gdb->watch[w].runs; r++)
			pages[n++] = gdb->watch[w].gpa[r] & ~(MEM_SLOTS_PAGE - 1);
	struct mem_slot_layout layout;
	struct vmm_error err;
	int ret = mem_slots_layout(gdb->vm->mem.size, pages, n, &layout);
	ret = ret ?: mem_slots_apply(gdb->vm->fd, &gdb->vm->mem, &gdb->slots, &layout, &err);
	if (ret)
		return ret;
	gdb->slots = layout;
	memcpy(gdb->watch_page, pages, n * sizeof pages[0]);
	gdb->watch_pages = n;
	return 0;
}

static int readonly_insert(struct gdb_stub *gdb, uint64_t va, uint64_t len)
{
	struct gdb_cpu_state cpu;
	int free_slot = -1;
	if (len == 0 || len > GDB_WATCH_MAX_LEN || len - 1 > UINT64_MAX - va)
		return -EINVAL;
	for (int w = 0; w < GDB_MAX_WATCH; w++) {
		if (gdb->watch[w].used && gdb->watch[w].va == va && gdb->watch[w].len == len)
			return 0;
		if (!gdb->watch[w].used && free_slot < 0)
			free_slot = w;
	}
	if (free_slot < 0)
		return -ENOSPC;
	if (gdb_get_cpu(gdb, gdb->g_vcpu, &cpu))
		return -EIO;
	struct gdb_watch watch = {.used = true, .va = va, .len = len};
	for (uint64_t done = 0; done < len; watch.runs++) { /* at most two pages: len <= 4096 */
		uint64_t a = va + done, n = MEM_SLOTS_PAGE - (a & (MEM_SLOTS_PAGE - 1));
		if (n > len - done)
			n = len - done;
		uint8_t *p = gdb_guest_virt(gdb, &cpu.sregs, a, (size_t)n);
		if (!p)
			return -EFAULT;
		watch.gpa[watch.runs] = (uint64_t)(p - gdb->vm->mem.host);
		watch.run_len[watch.runs] = n;
		done += n;
	}
	gdb->watch[free_slot] = watch;
	int ret = apply_pages(gdb);
	if (ret)
		gdb->watch[free_slot].used = false;
	return ret;
}

static int readonly_remove(struct gdb_stub *gdb, uint64_t va, uint64_t len)
{
	bool changed = false;
	for (unsigned w = 0; w < GDB_MAX_WATCH; w++)
		if (gdb->watch[w].used && gdb->watch[w].va == va && gdb->watch[w].len == len) {
			gdb->watch[w].used = false;
			changed = true;
		}
	return changed ? apply_pages(gdb) : 0;
}

void gdb_watch_remove_all(struct gdb_stub *gdb)
{
	for (unsigned w = 0; w < GDB_MAX_WATCH; w++)
		gdb->watch[w].used = false;
	if (gdb->watch_pages)
		apply_pages(gdb);
}

void gdb_cmd_watchpoint(struct gdb_stub *gdb, bool insert, unsigned type, uint64_t addr,
			uint64_t len)
{
	int r;
	if (gdb->host.watchpoint == GDB_NATIVE)
		r = insert ? gdb_hw_insert(gdb, type, addr, len) : gdb_hw_remove(gdb, type, addr);
	else if (gdb->host.readonly_mem && type == 2)
		r = insert ? readonly_insert(gdb, addr, len) : readonly_remove(gdb, addr, len);
	else {
		gdb_send_str(gdb, ""); /* reads cannot be caught here: gdb says unsupported */
		return;
	}
	gdb_send_str(gdb, r == 0 ? "OK" : r == -ENOSPC ? "E1c" : r == -EFAULT ? "E0e" : "E16");
}

static bool on_watched_page(struct gdb_stub *gdb, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < gdb->watch_pages; i++)
		if (ranges_overlap(gpa, len, gdb->watch_page[i], MEM_SLOTS_PAGE))
			return true;
	return false;
}

bool gdb_watch_claim_mmio(struct gdb_stub *gdb, struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint64_t gpa = run->mmio.phys_addr;
	uint32_t len = run->mmio.len;
	if (!run->mmio.is_write || len == 0 || len > sizeof run->mmio.data ||
	    !on_watched_page(gdb, gpa, len))
		return false; /* a device's MMIO */
	uint8_t *p = guest_mem_gpa_to_hva(&gdb->vm->mem, gpa, len);
	if (!p)
		return false;
	memcpy(p, run->mmio.data, len); /* the guest's store, into RAM */
	uint64_t hit = 0;
	bool any = false;
	for (unsigned w = 0; w < GDB_MAX_WATCH && !any; w++)
		for (unsigned r = 0; gdb->watch[w].used && r < gdb->watch[w].runs; r++)
			if (ranges_overlap(gpa, len, gdb->watch[w].gpa[r],
					   gdb->watch[w].run_len[r])) {
				hit = gdb->watch[w].va;
				any = true;
			}
	if (!any)
		return true; /* elsewhere on the page: KVM finishes it on the next KVM_RUN */
	/* Finish the instruction now, so gdb sees the state after the write. */
	run->immediate_exit = 1;
	ioctl(vcpu->fd, KVM_RUN, 0); /* -EINTR once the write is complete */
	run->immediate_exit = 0;
	gdb_request_stop_at(gdb, vcpu->index, GDB_SIGTRAP, STOP_KIND_WATCH, hit);
	return true;
}
