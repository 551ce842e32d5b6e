/* SPDX-License-Identifier: MIT */
/*
 * The seccomp allowlist of `minivmm run`. The table below is the contract: every entry says who
 * needs the call once the VM is built. docs/security.md lists the same table for readers.
 *
 * When: vm_run() calls sandbox_confine_vm() after the console threads and the trace thread are
 * running and before the first vCPU thread exists. Loading with SCMP_FLTATR_CTL_TSYNC puts the
 * filter on those already-running threads too (they sit in poll/futex waits and have run no
 * guest-influenced code yet), and the vCPU threads inherit it at creation, so not one guest
 * instruction runs unconfined. Installing earlier, before the console threads, would mean
 * allowing pipe2 and the terminal set-up calls for the rest of the run; installing after the
 * vCPU threads start would let the guest run a little while unconfined.
 */
#include "host/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kvm.h>
#include <malloc.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include "machine/vm.h"
#include "x86/cpuid.h"

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

/* syscall_names[nr], made at build time (vmm/tools/gen_syscall_names.c): the SIGSYS handler may
 * not allocate, so it cannot ask libseccomp. */
#include "syscall_names.h"

/* The control socket's listening fd (--api-sock), or -1. */
static int control_socket_fd = -1;

void sandbox_allow_control_socket(int listen_fd)
{
	control_socket_fd = listen_fd;
}

/* Descriptors inherited from the parent (sandbox_note_inherited_fds), closed by the sandbox. */
static int *inherited_fds;
static size_t inherited_count;

static int note_inherited(int fd, size_t *capacity)
{
	if (inherited_count == *capacity) {
		size_t more = *capacity ? 2 * *capacity : 16;
		int *grown = realloc(inherited_fds, more * sizeof *grown);
		if (!grown)
			return -ENOMEM;
		inherited_fds = grown;
		*capacity = more;
	}
	inherited_fds[inherited_count++] = fd;
	return 0;
}

int sandbox_note_inherited_fds(void)
{
	size_t capacity = 0;
	int ret = 0;
	inherited_count = 0;
	DIR *dir = opendir("/proc/self/fd");
	if (dir) {
		for (struct dirent *e; !ret && (e = readdir(dir));) {
			char *end;
			long fd = strtol(e->d_name, &end, 10);
			if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && *end == '\0' && fd > 2 &&
			    fd <= INT_MAX && fd != dirfd(dir))
				ret = note_inherited((int)fd, &capacity);
		}
		closedir(dir);
	} else { /* no /proc: ask each descriptor the limit allows (at most 64Ki of them) */
		struct rlimit nofile = {.rlim_cur = 1024};
		getrlimit(RLIMIT_NOFILE, &nofile);
		rlim_t limit = nofile.rlim_cur < 65536 ? nofile.rlim_cur : 65536;
		for (int fd = 3; !ret && (rlim_t)fd < limit; fd++)
			if (fcntl(fd, F_GETFD) >= 0)
				ret = note_inherited(fd, &capacity);
	}
	if (ret) {
		free(inherited_fds);
		inherited_fds = NULL;
		inherited_count = 0;
	}
	return ret;
}

/* The descriptors noted at start, which minivmm never uses; a file it was told to open by name
 * (/dev/fd/N included) has a descriptor of its own by now. */
static void close_inherited_fds(void)
{
	for (size_t i = 0; i < inherited_count; i++)
		close(inherited_fds[i]);
	free(inherited_fds);
	inherited_fds = NULL;
	inherited_count = 0;
}

/* The --result file, written by the SIGSYS handler (sandbox_report_violations_to). */
static volatile sig_atomic_t violation_result_fd = -1;

void sandbox_report_violations_to(int result_fd)
{
	violation_result_fd = result_fd;
}

/* The terminal as it was before raw mode, restored if a violation ends the process. */
static bool restore_terminal;
static int terminal_fd;
static struct termios terminal_state;

static void append(char *buf, size_t *len, size_t cap, const char *s)
{
	while (*s && *len + 1 < cap)
		buf[(*len)++] = *s++;
}

static void append_number(char *buf, size_t *len, size_t cap, unsigned long v, unsigned base)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n > 0 && *len + 1 < cap)
		buf[(*len)++] = digits[--n];
}

/* SECCOMP_RET_TRAP lands here, on the thread that made the call. Async-signal-safe only: the
 * message is built by hand in a stack buffer and leaves in one write(2). */
static void on_forbidden_syscall(int signo, siginfo_t *info, void *context)
{
	(void)signo;
	char msg[320];
	size_t len = 0;
	int nr = info->si_syscall;
	const char *name =
	    nr >= 0 && nr < NAMED_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "unknown";
	append(msg, &len, sizeof msg, "minivmm: sandbox: the VMM tried a forbidden system call: ");
	append(msg, &len, sizeof msg, name);
	append(msg, &len, sizeof msg, " (");
	append_number(msg, &len, sizeof msg, (unsigned long)nr, 10);
	append(msg, &len, sizeof msg, ")");
	if (nr == SCMP_SYS(ioctl)) {
		const ucontext_t *uc = context;
		append(msg, &len, sizeof msg, " request 0x");
		append_number(msg, &len, sizeof msg, (unsigned long)uc->uc_mcontext.gregs[REG_RSI],
			      16);
		append(msg, &len, sizeof msg, " on fd ");
		append_number(msg, &len, sizeof msg, (unsigned long)uc->uc_mcontext.gregs[REG_RDI],
			      10);
	}
	size_t call_end = len; /* "...: openat (257)" ends here */
	append(msg, &len, sizeof msg,
	       "; this is a bug or an attack \xe2\x80\x94 run with --no-sandbox to debug\n");
	ssize_t ignored = write(STDERR_FILENO, msg, len);
	(void)ignored;
	if (violation_result_fd >= 0) { /* the same object as cli/run_result.c's; no quotes above */
		char json[sizeof msg + 128];
		size_t json_len = 0;
		append(json, &json_len, sizeof json, "{\"ended_by\": \"minivmm\", \"reason\": \"");
		msg[call_end] = '\0';
		append(json, &json_len, sizeof json, msg + sizeof "minivmm: " - 1);
		append(json, &json_len, sizeof json, "\", \"status\": ");
		append_number(json, &json_len, sizeof json, VMM_EXIT_SANDBOX_VIOLATION, 10);
		append(json, &json_len, sizeof json,
		       ", \"guest_value\": null, \"exit_port\": null}\n");
		ignored = write(violation_result_fd, json, json_len);
	}
	if (restore_terminal)
		tcsetattr(terminal_fd, TCSAFLUSH, &terminal_state);
	_exit(VMM_EXIT_SANDBOX_VIOLATION);
}

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
static int add_control_socket_rules(scmp_filter_ctx ctx)
{
	if (control_socket_fd < 0)
		return 0;
	int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(accept4), 1,
				   arg_cmp(0, SCMP_CMP_EQ, (scmp_datum_t)control_socket_fd, 0));
	return ret
		   ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				       arg_cmp(2, SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					       CONTROL_SOCKET_CREATE_FLAGS));
}

/* A snapshot (snapshot/snapshot.c): the controllers' state, the file written with pwrite and
 * sized with ftruncate, and, for the socket's "snapshot" and Ctrl-A s, the new file created with
 * exactly the control socket's flags (O_EXCL: never an existing file). --snapshot-on-exit opens
 * its file before the filter. */
static int add_snapshot_rules(scmp_filter_ctx ctx, const struct vm *vm)
{
	int ret = add_ioctls(ctx, vm->fd, vm_snapshot_ioctls, COUNT(vm_snapshot_ioctls));
	ret = ret ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(pwrite64), 0);
	ret = ret ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ftruncate), 0);
	if (!ret && vm->console.snapshot && control_socket_fd < 0) /* else added below */
		ret = seccomp_rule_add(
		    ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		    arg_cmp(2, SCMP_CMP_MASKED_EQ, 0xffffffffUL, CONTROL_SOCKET_CREATE_FLAGS));
	return ret;
}

static int build_filter(scmp_filter_ctx ctx, const struct vm *vm)
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
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++) {
		ret = add_ioctls(ctx, vm->vcpus[i].fd, vcpu_ioctls, COUNT(vcpu_ioctls));
		if (!ret && vm->cfg.reboot)
			ret = add_ioctls(ctx, vm->vcpus[i].fd, vcpu_reboot_ioctls,
					 COUNT(vcpu_reboot_ioctls));
		if (!ret && vm->gdb)
			ret = add_ioctls(ctx, vm->vcpus[i].fd, vcpu_gdb_ioctls,
					 COUNT(vcpu_gdb_ioctls));
		if (!ret && vm->snapshot)
			ret = add_ioctls(ctx, vm->vcpus[i].fd, vcpu_snapshot_ioctls,
					 COUNT(vcpu_snapshot_ioctls));
	}
	if (!ret && vm->snapshot)
		ret = add_snapshot_rules(ctx, vm);
	/* --gdb: the stub accepts a client on the socket it made before the filter, and drops
	 * one that stops reading. */
	if (!ret && vm->gdb)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(accept4), 0)
			  ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 0)
			  ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(shutdown), 0);
	ret = ret ?: add_ioctls(ctx, vm->fd, vm_ioctls, COUNT(vm_ioctls));
	if (!ret && vm->cfg.reboot)
		ret = add_ioctls(ctx, vm->fd, vm_reboot_ioctls, COUNT(vm_reboot_ioctls));
	if (!ret && vm->gdb)
		ret = add_ioctls(ctx, vm->fd, vm_gdb_ioctls, COUNT(vm_gdb_ioctls));
	ret = ret ?: add_ioctls(ctx, -1, terminal_ioctls, COUNT(terminal_ioctls));
	ret = ret ?: add_control_socket_rules(ctx);
	return ret;
}

int sandbox_confine_vm(struct vm *vm, struct vmm_error *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				     "sandbox: PR_SET_NO_NEW_PRIVS failed: %s (try --no-sandbox)",
				     strerror(errno));
	/* The VM and vCPUs exist: the /dev/kvm system fd (KVM_CREATE_VM and friends) is done. The
	 * CPUID helper thread holds a duplicate of it until it ends: end it first. */
	x86_cpuid_prefetch_end();
	kvm_close(&vm->kvm);
	close_inherited_fds();

	restore_terminal = vm->console.raw_mode;
	terminal_fd = vm->console.in_fd;
	terminal_state = vm->console.saved_termios;
	struct sigaction sa = {.sa_sigaction = on_forbidden_syscall, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				     "sandbox: cannot install the SIGSYS handler: %s",
				     strerror(errno));

	/* glibc reads /proc/sys/vm/overcommit_memory (an openat) the first time a thread's own
	 * malloc heap shrinks, e.g. after the control socket freed a large reply: heaps keep
	 * their free memory for reuse instead, under the filter. */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);

	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "sandbox: seccomp_init failed (try --no-sandbox)");
	/* A binary tree over syscall numbers instead of a linear list: every KVM_RUN and write
	 * pays for the filter. Older libseccomp lacks the attribute; the linear filter is fine. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	int ret = build_filter(ctx, vm);
	ret = ret ?: seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	ret = ret ?: seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_HOST_RESOURCES,
				     "sandbox: cannot load the seccomp filter: %s (see minivmm "
				     "info; --no-sandbox runs without it)",
				     strerror(-ret));
	return 0;
}

bool sandbox_available(char *why, size_t why_len)
{
	FILE *status = fopen("/proc/self/status", "r");
	bool kernel_has_seccomp = false;
	char line[256];
	while (status && fgets(line, sizeof line, status))
		if (strncmp(line, "Seccomp:", 8) == 0)
			kernel_has_seccomp = true;
	if (status)
		fclose(status);
	if (!kernel_has_seccomp) {
		snprintf(why, why_len,
			 "the kernel has no seccomp (no Seccomp: line in "
			 "/proc/self/status; CONFIG_SECCOMP_FILTER)");
		return false;
	}
	if (seccomp_api_get() < 2) { /* 2: SCMP_FLTATR_CTL_TSYNC works */
		snprintf(why, why_len, "libseccomp finds no usable seccomp(2) with thread sync");
		return false;
	}
	why[0] = '\0';
	return true;
}

void sandbox_print_info(FILE *out)
{
	char why[160];
	const struct scmp_version *v = seccomp_version();
	bool ok = sandbox_available(why, sizeof why);
	fprintf(out, "sandbox (seccomp):        %s, libseccomp %u.%u.%u linked\n",
		ok ? "available" : "NOT available", v->major, v->minor, v->micro);
	if (ok)
		fprintf(out, "  on by default for `minivmm run` (--no-sandbox turns it off); "
			     "bench and compare run unconfined\n");
	else
		fprintf(out, "  %s: `minivmm run` needs --no-sandbox here\n", why);
}
