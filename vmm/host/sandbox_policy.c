/* SPDX-License-Identifier: MIT */
/*
 * The seccomp allowlist of `minivmm run`. The table below is the contract: every entry says who
 * needs the call once the VM is built. docs/security.md lists the same table for readers.
 *
 * libseccomp turns these rules into a BPF program at build time, once per option set and vCPU
 * count, with stand-in descriptor numbers (vmm/tools/gen_seccomp_filters.c); minivmm only writes
 * its real descriptors into the program it needs (sandbox_filter.c) and loads it (sandbox.c).
 */
#include "host/sandbox_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

/* Plain system calls, allowed with any arguments. */
static const int allowed_syscalls[] = {
    /* console, trace outputs, stats reads, final reports */
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(pread64),
    SCMP_SYS(close),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    /* threads: locks, condition variables, joins, start-up and exit of the vCPU threads */
    SCMP_SYS(futex),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(rseq),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(sched_yield),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    /* memory: malloc arenas, thread stacks, teardown (executable mappings: see below) */
    SCMP_SYS(munmap),
    SCMP_SYS(madvise),
    SCMP_SYS(brk),
    SCMP_SYS(mremap),
    /* signals: the vCPU kick, "vCPU finished", SIGINT/SIGTERM and the timeout wait */
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigtimedwait),
    SCMP_SYS(tgkill),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(restart_syscall),
    /* time: trace timestamps and the RTC's clock and timer waits (when the vDSO is not used),
     * the trace thread's naps */
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    /* virtio-rng's entropy (devices/virtio_rng.c, on its worker thread) */
    SCMP_SYS(getrandom),
};

/* ioctl requests allowed on the vCPU fds: run; the fault report's registers; an ACPI S3 resume
 * (machine/sleep.c: the boot processor at the waking vector, the APs back to wait-for-SIPI). */
static const unsigned long vcpu_ioctls[] = {
    KVM_RUN,	   KVM_GET_REGS,	KVM_GET_SREGS,	     KVM_SET_REGS,
    KVM_SET_SREGS, KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, KVM_SET_MP_STATE,
};

/* Only with --reboot: the return to power-on state needs the LAPIC too (the registers, pending
 * events and MP state are above). */
static const unsigned long vcpu_reboot_ioctls[] = {KVM_GET_LAPIC, KVM_SET_LAPIC};

/* Only with --gdb (vmm/gdb): the debugger's registers, FPU state and debug controls. */
static const unsigned long vcpu_gdb_ioctls[] = {KVM_SET_REGS, KVM_GET_FPU, KVM_SET_GUEST_DEBUG,
						KVM_SET_SREGS};

/* Only when the run can be snapshotted (vm->snapshot: --snapshot-on-exit, --api-sock, a console
 * on a terminal): reading every vCPU's state (snapshot/snapshot_vcpu.c). */
static const unsigned long vcpu_snapshot_ioctls[] = {
    KVM_GET_CPUID2,	 KVM_GET_FPU,	    KVM_GET_XSAVE,   KVM_GET_XSAVE2,
    KVM_GET_XCRS,	 KVM_GET_DEBUGREGS, KVM_GET_MSRS,    KVM_GET_LAPIC,
    KVM_GET_VCPU_EVENTS, KVM_GET_MP_STATE,  KVM_GET_TSC_KHZ,
};

/* ... and the VM's controllers. */
static const unsigned long vm_snapshot_ioctls[] = {KVM_GET_IRQCHIP, KVM_GET_PIT2, KVM_GET_CLOCK};

/* ioctl requests allowed on the VM fd: device interrupt lines. Ioeventfds and the coalesced
 * zone are registered before confinement and never undone (KVM drops them with the VM,
 * devices/device_table.h). */
static const unsigned long vm_ioctls[] = {
    KVM_IRQ_LINE,
    KVM_IRQ_LINE_STATUS,
};

/* Only with --gdb: write watchpoints make guest pages read-only (vmm/gdb/gdb_watch.c). */
static const unsigned long vm_gdb_ioctls[] = {KVM_SET_USER_MEMORY_REGION};

/* Only with --reboot: the reset of the PIC, IOAPIC and PIT. */
static const unsigned long vm_reboot_ioctls[] = {KVM_SET_IRQCHIP, KVM_SET_PIT2};

/* ioctl requests allowed on any fd: restoring the terminal (console_stop, the SIGSYS handler). */
static const unsigned long terminal_ioctls[] = {TCGETS, TCSETS, TCSETSW, TCSETSF};

/* One argument comparison, every field named (libseccomp's SCMP_An macros leave datum_b out,
 * which clang's -Wmissing-field-initializers rejects). */
static struct scmp_arg_cmp arg_cmp(unsigned arg, enum scmp_compare op, scmp_datum_t a,
				   scmp_datum_t b)
{
	return (struct scmp_arg_cmp){.arg = arg, .op = op, .datum_a = a, .datum_b = b};
}

static int add_ioctls(scmp_filter_ctx ctx, int fd, const unsigned long *requests, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		/* The kernel reads the request as 32 bits: compare those only. */
		struct scmp_arg_cmp request =
		    arg_cmp(1, SCMP_CMP_MASKED_EQ, 0xffffffffUL, requests[i] & 0xffffffffUL);
		int ret =
		    fd < 0
			? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, request)
			: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
					   arg_cmp(0, SCMP_CMP_EQ, (scmp_datum_t)fd, 0), request);
		if (ret)
			return ret;
	}
	return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The flags of fopen(path, "wxe"), the trace command's file (api/api_vm.c): a new file only. */
#define CONTROL_SOCKET_CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC)

/* The control socket: new connections on its own fd, and a trace file the trace command creates:
 * openat with exactly the flags above, so an existing file is never opened, read or truncated
 * (the path cannot be checked: it is in memory a filter cannot read). */
static int add_control_socket_rules(scmp_filter_ctx ctx, const struct sandbox_shape *shape)
{
	if (!(shape->options & SANDBOX_CONTROL_SOCKET))
		return 0;
	int fd = shape->fds[SANDBOX_FD_CONTROL_SOCKET];
	int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(accept4), 1,
				   arg_cmp(0, SCMP_CMP_EQ, (scmp_datum_t)fd, 0));
	return ret
		   ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				       arg_cmp(2, SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					       CONTROL_SOCKET_CREATE_FLAGS));
}

/* A snapshot (snapshot/snapshot.c): the controllers' state, the file written with pwrite and
 * sized with ftruncate, and, for the socket's "snapshot" and Ctrl-A s, the new file created with
 * exactly the control socket's flags (O_EXCL: never an existing file). --snapshot-on-exit opens
 * its file before the filter. */
static int add_snapshot_rules(scmp_filter_ctx ctx, const struct sandbox_shape *shape)
{
	int ret = add_ioctls(ctx, shape->fds[SANDBOX_FD_VM], vm_snapshot_ioctls,
			     COUNT(vm_snapshot_ioctls));
	ret = ret ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pwrite64), 0);
	ret = ret ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ftruncate), 0);
	if (!ret && (shape->options & SANDBOX_SNAPSHOT_KEY) &&
	    !(shape->options & SANDBOX_CONTROL_SOCKET)) /* else added below */
		ret = seccomp_rule_add(
		    ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		    arg_cmp(2, SCMP_CMP_MASKED_EQ, 0xffffffffUL, CONTROL_SOCKET_CREATE_FLAGS));
	return ret;
}

static int add_rules(scmp_filter_ctx ctx, const struct sandbox_shape *shape)
{
	int ret = 0;
	for (size_t i = 0; !ret && i < COUNT(allowed_syscalls); i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed_syscalls[i], 0);
	/* New memory may be readable and writable, never executable: a guest that subverts the
	 * VMM cannot map fresh code. */
	ret = ret
		  ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      arg_cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	ret = ret
		  ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				      arg_cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* Threads (the vCPUs) but no processes: clone must carry CLONE_THREAD. clone3 passes its
	 * flags in memory a filter cannot read, so it fails with ENOSYS and glibc falls back to
	 * clone. */
	ret = ret
		  ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      arg_cmp(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	ret = ret ?: seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	unsigned options = shape->options;
	for (unsigned i = 0; !ret && i < shape->vcpu_count; i++) {
		int fd = shape->fds[SANDBOX_FD_VCPU0 + i];
		ret = add_ioctls(ctx, fd, vcpu_ioctls, COUNT(vcpu_ioctls));
		if (!ret && (options & SANDBOX_REBOOT))
			ret = add_ioctls(ctx, fd, vcpu_reboot_ioctls, COUNT(vcpu_reboot_ioctls));
		if (!ret && (options & SANDBOX_GDB))
			ret = add_ioctls(ctx, fd, vcpu_gdb_ioctls, COUNT(vcpu_gdb_ioctls));
		if (!ret && (options & SANDBOX_SNAPSHOT))
			ret =
			    add_ioctls(ctx, fd, vcpu_snapshot_ioctls, COUNT(vcpu_snapshot_ioctls));
	}
	if (!ret && (options & SANDBOX_SNAPSHOT))
		ret = add_snapshot_rules(ctx, shape);
	/* --gdb: the stub accepts a client on the socket it made before the filter, and drops
	 * one that stops reading. */
	if (!ret && (options & SANDBOX_GDB))
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(accept4), 0)
			  ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 0)
			  ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(shutdown), 0);
	int vm_fd = shape->fds[SANDBOX_FD_VM];
	ret = ret ?: add_ioctls(ctx, vm_fd, vm_ioctls, COUNT(vm_ioctls));
	if (!ret && (options & SANDBOX_REBOOT))
		ret = add_ioctls(ctx, vm_fd, vm_reboot_ioctls, COUNT(vm_reboot_ioctls));
	if (!ret && (options & SANDBOX_GDB))
		ret = add_ioctls(ctx, vm_fd, vm_gdb_ioctls, COUNT(vm_gdb_ioctls));
	ret = ret ?: add_ioctls(ctx, -1, terminal_ioctls, COUNT(terminal_ioctls));
	ret = ret ?: add_control_socket_rules(ctx, shape);
	return ret;
}

/* A new filter holding the whole policy for shape, or NULL with *ret set. */
static scmp_filter_ctx policy_filter(const struct sandbox_shape *shape, int *ret)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		*ret = -ENOMEM;
		return NULL;
	}
	/* A binary tree over syscall numbers instead of a linear list: every KVM_RUN and write
	 * pays for the filter. Older libseccomp lacks the attribute; the linear filter is fine. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	*ret = add_rules(ctx, shape);
	if (*ret) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

int sandbox_policy_compile(const struct sandbox_shape *shape, struct sock_filter **insns,
			   size_t *len)
{
	int ret;
	scmp_filter_ctx ctx = policy_filter(shape, &ret);
	if (!ctx)
		return ret;
	/* libseccomp writes the program to a file descriptor: a memory file, read back whole. */
	int fd = memfd_create("sandbox-filter", MFD_CLOEXEC);
	ret = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	off_t size = ret ? -1 : lseek(fd, 0, SEEK_END);
	if (!ret && (size <= 0 || size % (off_t)sizeof **insns ||
		     size / (off_t)sizeof **insns > BPF_MAXINSNS))
		ret = -E2BIG; /* no program the kernel would load */
	*insns = ret ? NULL : malloc((size_t)size);
	if (!ret && !*insns)
		ret = -ENOMEM;
	if (!ret && pread(fd, *insns, (size_t)size, 0) != size)
		ret = -EIO;
	if (fd >= 0)
		close(fd);
	if (ret) {
		free(*insns);
		*insns = NULL;
		return ret;
	}
	*len = (size_t)size / sizeof **insns;
	return 0;
}

const char *sandbox_policy_compiler(char *buf, size_t size)
{
	const struct scmp_version *v = seccomp_version();
	snprintf(buf, size, "libseccomp %u.%u.%u", v->major, v->minor, v->micro);
	return buf;
}
