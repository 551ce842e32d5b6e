/* SPDX-License-Identifier: MIT */
/*
 * The seccomp sandbox of `minivmm run`: the allowlist itself is sandbox_policy.c, compiled into
 * BPF at build time (sandbox_filter.h); here the process is confined with it.
 *
 * When: vm_run() calls sandbox_confine_vm() after the console threads and the trace thread are
 * running and before the first vCPU thread exists. Loading with SECCOMP_FILTER_FLAG_TSYNC puts
 * the filter on those already-running threads too (they sit in poll/futex waits and have run no
 * guest-influenced code yet), and the vCPU threads inherit it at creation, so not one guest
 * instruction runs unconfined. Installing earlier, before the console threads, would mean
 * allowing pipe2 and the terminal set-up calls for the rest of the run; installing after the
 * vCPU threads start would let the guest run a little while unconfined.
 */
#include "host/sandbox.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include "host/sandbox_filter.h"
#include "machine/vm.h"
#include "x86/cpuid.h"

/* syscall_names[nr], made at build time by asking libseccomp (vmm/tools/gen_syscall_names.c):
 * the SIGSYS handler may not allocate. */
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
	if (nr == SYS_ioctl) {
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

/* What the filter depends on in this run (host/sandbox_shape.h). */
static void shape_of_vm(const struct vm *vm, struct sandbox_shape *shape)
{
	static_assert(VM_MAX_VCPUS <= SANDBOX_MAX_VCPUS, "a program for every vCPU count");
	shape->options = (vm->cfg.reboot ? SANDBOX_REBOOT : 0) | (vm->gdb ? SANDBOX_GDB : 0) |
			 (vm->snapshot ? SANDBOX_SNAPSHOT : 0) |
			 (vm->console.snapshot ? SANDBOX_SNAPSHOT_KEY : 0) |
			 (control_socket_fd >= 0 ? SANDBOX_CONTROL_SOCKET : 0);
	shape->vcpu_count = vm->vcpu_count;
	for (unsigned role = 0; role < SANDBOX_FD_ROLES; role++)
		shape->fds[role] = -1;
	shape->fds[SANDBOX_FD_CONTROL_SOCKET] = control_socket_fd;
	shape->fds[SANDBOX_FD_VM] = vm->fd;
	for (unsigned i = 0; i < vm->vcpu_count && i < SANDBOX_MAX_VCPUS; i++)
		shape->fds[SANDBOX_FD_VCPU0 + i] = vm->vcpus[i].fd;
}

/* The build-time program for this VM, with its descriptors, put on every thread of the process
 * (SECCOMP_FILTER_FLAG_TSYNC; threads created later inherit it), as libseccomp's seccomp_load()
 * did. Returns 0 or a negative errno. */
static int load_filter(const struct vm *vm)
{
	struct sandbox_shape shape;
	shape_of_vm(vm, &shape);
	struct sock_filter *insns = malloc(sandbox_filter_max_len() * sizeof *insns);
	if (!insns)
		return -ENOMEM;
	size_t len = 0;
	int ret = sandbox_filter_for(&shape, insns, &len);
	if (!ret) {
		struct sock_fprog prog = {.len = (unsigned short)len, .filter = insns};
		long tid =
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
		/* > 0: that thread could not take the filter (it has one of its own) */
		ret = tid < 0 ? -errno : tid > 0 ? -ESRCH : 0;
	}
	free(insns);
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

	int ret = load_filter(vm);
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
	/* Filters with thread sync: a kernel that knows the flag fails on the missing program
	 * (EFAULT) instead of the flag (EINVAL) or the call (ENOSYS), as libseccomp probes it. */
	errno = 0;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL) >= 0 ||
	    errno != EFAULT) {
		snprintf(why, why_len, "no usable seccomp(2) with thread sync here (%s)",
			 strerror(errno));
		return false;
	}
	why[0] = '\0';
	return true;
}

void sandbox_print_info(FILE *out)
{
	char why[160];
	bool ok = sandbox_available(why, sizeof why);
	fprintf(out, "sandbox (seccomp):        %s, filter compiled at build time by %s\n",
		ok ? "available" : "NOT available", sandbox_filter_compiler());
	if (ok)
		fprintf(out, "  on by default for `minivmm run` (--no-sandbox turns it off); "
			     "bench and compare run unconfined\n");
	else
		fprintf(out, "  %s: `minivmm run` needs --no-sandbox here\n", why);
}
