/* SPDX-License-Identifier: MIT */
/*
 * Guest memory as gdb sees it: virtual addresses of the selected vCPU, translated through its
 * 4-level page tables (Intel SDM vol. 3A 4.5); unmapped, non-canonical or not RAM is an error
 * packet, never a crash.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdb/gdb_stub_internal.h"
#include "x86/long_mode.h"

int gdb_get_cpu(struct gdb_stub *gdb, unsigned i, struct gdb_cpu_state *cpu)
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
uint8_t *gdb_guest_virt(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va, size_t len)
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
bool gdb_user_page(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va)
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

/* Reads or writes len bytes at va, page by page. Returns the bytes done (a prefix), 0 if none. */
size_t gdb_access_virt(struct gdb_stub *gdb, const struct kvm_sregs *s, uint64_t va, uint8_t *buf,
		       size_t len, bool write)
{
	size_t done = 0;
	if (len == 0 || len - 1 > UINT64_MAX - va)
		return 0; /* wraps past the top of the address space */
	while (done < len) {
		uint64_t a = va + done;
		size_t n = 4096 - (size_t)(a & 4095);
		if (n > len - done)
			n = len - done;
		uint8_t *p = gdb_guest_virt(gdb, s, a, n);
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

void gdb_cmd_read_memory(struct gdb_stub *gdb, const char *p, const char *end)
{
	uint64_t addr, len;
	static uint8_t buf[GDB_PACKET_MAX / 2];
	struct gdb_cpu_state cpu;
	if (gdb_parse_addr_len(&p, end, &addr, &len) || p != end ||
	    gdb_get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		gdb_send_str(gdb, "E01");
		return;
	}
	if (len > sizeof buf)
		len = sizeof buf; /* gdb asks again for the rest */
	size_t done = gdb_access_virt(gdb, &cpu.sregs, addr, buf, (size_t)len, false);
	if (done == 0 && len > 0) {
		gdb_send_str(gdb, "E0e"); /* EFAULT */
		return;
	}
	gdb_bp_unmask(gdb, addr, buf, done);
	gdb_to_hex(buf, done, gdb->reply);
	gdb_send_packet(gdb, gdb->reply, 2 * done);
}

void gdb_cmd_write_memory(struct gdb_stub *gdb, const char *p, const char *end, bool binary)
{
	uint64_t addr, len;
	static uint8_t buf[GDB_PACKET_MAX];
	struct gdb_cpu_state cpu;
	if (gdb_parse_addr_len(&p, end, &addr, &len) || p == end || *p != ':' || len > sizeof buf ||
	    gdb_get_cpu(gdb, gdb->g_vcpu, &cpu)) {
		gdb_send_str(gdb, "E01");
		return;
	}
	p++;
	if (binary) {
		int n = gdb_unescape_binary(p, (size_t)(end - p), buf, sizeof buf);
		if (n < 0 || (uint64_t)n != len) {
			gdb_send_str(gdb, "E01");
			return;
		}
	} else if ((size_t)(end - p) != 2 * len || gdb_from_hex(p, (size_t)len, buf)) {
		gdb_send_str(gdb, "E01");
		return;
	}
	if (len == 0) { /* X with no data: gdb's probe for binary support */
		gdb_send_str(gdb, "OK");
		return;
	}
	gdb_bp_keep(gdb, addr, buf, (size_t)len);
	size_t done = gdb_access_virt(gdb, &cpu.sregs, addr, buf, (size_t)len, true);
	gdb_send_str(gdb, done == len ? "OK" : "E0e");
}
