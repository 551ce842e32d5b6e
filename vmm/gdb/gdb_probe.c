/* SPDX-License-Identifier: MIT */
#include "gdb/gdb_probe.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host/host_virt.h"
#include "machine/guest_mem.h"
#include "machine/kvm.h"
#include "minivmm/boot_abi.h"
#include "x86/cpuid.h"
#include "x86/long_mode.h"

#define PROBE_RAM  (4ull << 20)
#define PROBE_CODE 0x100000ull
#define PROBE_DATA 0x200000ull

/* nop; nop; mov %ecx,(%rax); int3; then the exit port: out %al,(%dx) with dx = 0x501 */
static const unsigned char probe_code[] = {0x90, 0x90, 0x89, 0x08, 0xcc,
					   0x66, 0xba, 0x01, 0x05, 0xee};
#define AT_SECOND_NOP 1
#define AFTER_STORE   4
#define AT_INT3	      4

struct probe_vm {
	struct kvm kvm;
	int vm_fd, vcpu_fd;
	struct kvm_run *run;
	struct guest_mem mem;
};

static int fail(struct vmm_error *err, const char *what)
{
	return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE, "debug probe: %s failed: %s",
			     what, strerror(errno));
}

static int setup(struct probe_vm *p, const char *device, struct vmm_error *err)
{
	int ret = kvm_open(&p->kvm, device, err);
	ret = ret ?: guest_mem_init(&p->mem, PROBE_RAM, err);
	ret = ret ?: x86_build_boot_structures(&p->mem, err);
	if (ret)
		return ret;
	memcpy(guest_mem_gpa_to_hva(&p->mem, PROBE_CODE, sizeof probe_code), probe_code,
	       sizeof probe_code);
	if ((p->vm_fd = ioctl(p->kvm.fd, KVM_CREATE_VM, 0)) < 0)
		return fail(err, "KVM_CREATE_VM");
	struct kvm_userspace_memory_region region = {
	    .memory_size = p->mem.size, .userspace_addr = (uint64_t)(uintptr_t)p->mem.host};
	if (ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail(err, "KVM_SET_USER_MEMORY_REGION");
	if ((p->vcpu_fd = ioctl(p->vm_fd, KVM_CREATE_VCPU, 0)) < 0)
		return fail(err, "KVM_CREATE_VCPU");
	p->run =
	    mmap(NULL, p->kvm.vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu_fd, 0);
	if (p->run == MAP_FAILED) {
		p->run = NULL;
		return fail(err, "mmap kvm_run");
	}
	return x86_setup_cpuid(&p->kvm, p->vcpu_fd, &(struct x86_cpu_config){0}, 0, err);
}

static void teardown(struct probe_vm *p)
{
	if (p->run)
		munmap(p->run, p->kvm.vcpu_mmap_size);
	if (p->vcpu_fd > 0)
		close(p->vcpu_fd);
	if (p->vm_fd > 0)
		close(p->vm_fd);
	guest_mem_destroy(&p->mem);
	kvm_close(&p->kvm);
}

/* Runs the code from its start under dbg until an exit that is not a port write. Returns the
 * exit reason (0 if KVM refused) with rip, exception and dr6 of that exit. */
static unsigned run_once(struct probe_vm *p, const struct kvm_guest_debug *dbg, uint64_t *rip,
			 unsigned *exception, uint64_t *dr6)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (ioctl(p->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return 0;
	x86_long_mode_sregs(&sregs);
	x86_long_mode_regs(&regs, PROBE_CODE);
	regs.rax = PROBE_DATA;
	if (ioctl(p->vcpu_fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_GUEST_DEBUG, dbg) < 0)
		return 0;
	for (int i = 0; i < 16; i++) {
		if (ioctl(p->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (p->run->exit_reason == KVM_EXIT_IO)
			return KVM_EXIT_IO; /* reached the exit port: nothing stopped it */
		*exception =
		    p->run->exit_reason == KVM_EXIT_DEBUG ? p->run->debug.arch.exception : 0;
		*dr6 = p->run->exit_reason == KVM_EXIT_DEBUG ? p->run->debug.arch.dr6 : 0;
		*rip = ioctl(p->vcpu_fd, KVM_GET_REGS, &regs) == 0 ? regs.rip : 0;
		return p->run->exit_reason;
	}
	return 0;
}

int gdb_probe_host(const char *kvm_device, struct gdb_host_debug *out, struct vmm_error *err)
{
	struct probe_vm p;
	memset(&p, 0, sizeof p);
	memset(out, 0, sizeof *out);
	p.kvm.fd = -1;
	int ret = setup(&p, kvm_device, err);
	if (ret) {
		teardown(&p);
		return ret;
	}
	struct host_virt hv;
	host_virt_probe(&hv);
	/* With VT-x/SVM the CPU runs guest ring 0 itself; without them KVM emulates it. */
	enum gdb_support works = hv.flag ? GDB_NATIVE : GDB_EMULATED;
	int caps = kvm_check_extension(&p.kvm, KVM_CAP_SET_GUEST_DEBUG2);
	out->block_irq = caps > 0 && (caps & KVM_GUESTDBG_BLOCKIRQ);
	out->readonly_mem = kvm_check_extension(&p.kvm, KVM_CAP_READONLY_MEM) > 0;

	uint64_t rip = 0, dr6 = 0;
	unsigned exc = 0, reason;
	struct kvm_guest_debug dbg = {.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP};
	reason = run_once(&p, &dbg, &rip, &exc, &dr6);
	if (reason == KVM_EXIT_DEBUG && rip == PROBE_CODE + AT_SECOND_NOP)
		out->single_step = works;

	dbg = (struct kvm_guest_debug){.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP};
	dbg.arch.debugreg[0] = PROBE_CODE + AT_SECOND_NOP;
	dbg.arch.debugreg[7] = 0x1; /* L0, execution */
	reason = run_once(&p, &dbg, &rip, &exc, &dr6);
	if (reason == KVM_EXIT_DEBUG && rip == PROBE_CODE + AT_SECOND_NOP && (dr6 & 1))
		out->hw_breakpoint = works;

	dbg.arch.debugreg[0] = PROBE_DATA;
	dbg.arch.debugreg[7] = 0x1 | (1u << 16) | (3u << 18); /* L0, RW0 write, LEN0 4 bytes */
	reason = run_once(&p, &dbg, &rip, &exc, &dr6);
	if (reason == KVM_EXIT_DEBUG && rip == PROBE_CODE + AFTER_STORE && (dr6 & 1))
		out->watchpoint = works;

	dbg = (struct kvm_guest_debug){.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP};
	reason = run_once(&p, &dbg, &rip, &exc, &dr6);
	if (reason == KVM_EXIT_DEBUG && exc == 3)
		out->sw_breakpoint = GDB_NATIVE;
	else if (reason == KVM_EXIT_INTERNAL_ERROR && rip == PROBE_CODE + AT_INT3)
		out->sw_breakpoint = GDB_EMULATED;

	teardown(&p);
	return 0;
}

const char *gdb_support_name(enum gdb_support s)
{
	return s == GDB_NATIVE ? "native" : s == GDB_EMULATED ? "emulated" : "missing";
}

enum gdb_support gdb_ring3_support(const struct gdb_host_debug *d, enum gdb_feature f)
{
	switch (f) {
	case GDB_FEATURE_SW_BREAKPOINT:
		/* Native: KVM intercepts #BP in every ring. Emulated: the int3 of ring 0 exits,
		 * so the stub traps the guest's #BP handler (gdb_ring3.c). */
		return d->sw_breakpoint;
	case GDB_FEATURE_SINGLE_STEP:
		if (d->sw_breakpoint == GDB_NATIVE)
			return d->single_step;
		return d->sw_breakpoint == GDB_EMULATED ? GDB_EMULATED : GDB_MISSING;
	case GDB_FEATURE_HW_BREAKPOINT:
		/* Debug registers fire in ring 3 only where the CPU runs it for KVM. */
		return d->sw_breakpoint == GDB_NATIVE ? d->hw_breakpoint : GDB_MISSING;
	case GDB_FEATURE_WATCHPOINT:
		if (d->sw_breakpoint == GDB_NATIVE && d->watchpoint == GDB_NATIVE)
			return GDB_NATIVE;
		return d->readonly_mem ? GDB_EMULATED : GDB_MISSING;
	}
	return GDB_MISSING;
}

enum gdb_support gdb_watch_support(const struct gdb_host_debug *d)
{
	if (d->watchpoint == GDB_NATIVE)
		return GDB_NATIVE;
	return d->readonly_mem ? GDB_EMULATED : GDB_MISSING;
}

static void print_row(FILE *out, const char *name, enum gdb_support ring0, enum gdb_support ring3,
		      const char *how)
{
	fprintf(out, "  %-28s %-9s %-9s %s\n", name, gdb_support_name(ring0),
		gdb_support_name(ring3), how);
}

void gdb_probe_print(const struct gdb_host_debug *d, FILE *out)
{
	bool by_idt = d->sw_breakpoint == GDB_EMULATED;
	fprintf(
	    out,
	    "debugging with gdb (minivmm run --gdb; probed in guest ring 0, ring 3 follows):\n");
	fprintf(out, "  %-28s %-9s %-9s %s\n", "feature", "ring 0", "ring 3", "how");
	print_row(out, "software breakpoints (int3)", d->sw_breakpoint,
		  gdb_ring3_support(d, GDB_FEATURE_SW_BREAKPOINT),
		  by_idt ? "an int3 exits as an emulation failure at the 0xCC; ring 3: an int3 at "
			   "the guest's #BP handler, its frame unwound"
			 : "KVM_GUESTDBG_USE_SW_BP");
	print_row(out, "single-step", d->single_step, gdb_ring3_support(d, GDB_FEATURE_SINGLE_STEP),
		  by_idt
		      ? "ring 0: KVM_GUESTDBG_SINGLESTEP; ring 3: the trap flag and an int3 at the "
			"guest's #DB handler"
		      : (d->block_irq ? "KVM_GUESTDBG_SINGLESTEP, interrupts held off (BLOCKIRQ)"
				      : "KVM_GUESTDBG_SINGLESTEP"));
	print_row(
	    out, "hardware breakpoints", d->hw_breakpoint,
	    gdb_ring3_support(d, GDB_FEATURE_HW_BREAKPOINT),
	    "debug registers DR0-DR3, execution (ring 3 here only where KVM runs it natively)");
	print_row(out, "watchpoints (data writes)", gdb_watch_support(d),
		  gdb_ring3_support(d, GDB_FEATURE_WATCHPOINT),
		  gdb_watch_support(d) == GDB_NATIVE
		      ? "debug registers DR0-DR3, data (write, read/write: watch, rwatch, awatch)"
		      : "the watched page read-only (KVM_MEM_READONLY): each write exits, minivmm "
			"completes it; writes only (watch)");
	fprintf(out, "  %-28s %-9s %-9s %s\n", "stop all vCPUs (Ctrl-C)", "native", "native",
		"a signal takes each vCPU out of KVM_RUN");
}
