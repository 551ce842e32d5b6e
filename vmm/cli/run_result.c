/* SPDX-License-Identifier: MIT */
#include "cli/run_result.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "platform/pc_layout.h"

static void set_reason(struct run_outcome *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_reason(struct run_outcome *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->reason, sizeof o->reason, fmt, ap);
	va_end(ap);
}

void run_outcome_from_error(struct run_outcome *o, const char *prefix, const struct vmm_error *err)
{
	/* No status set would be a minivmm bug: main() reports it as one too. */
	int status = err->status ? (int)err->status : VMM_EXIT_INTERNAL;
	*o = (struct run_outcome){.ended_by = RUN_ENDED_BY_MINIVMM, .status = status};
	if (prefix)
		set_reason(o, "%s: %s", prefix, err->msg);
	else
		set_reason(o, "%s", err->msg);
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return " (SIGINT)";
	case SIGTERM:
		return " (SIGTERM)";
	default:
		return "";
	}
}

/* The guest's write, in words: "the guest wrote 88 to minivmm's exit port 0x501: ...". */
static void describe_guest_exit(struct run_outcome *o, const struct stop_request *stop)
{
	o->ended_by = RUN_ENDED_BY_GUEST;
	o->guest_exit = true;
	o->exit_port = stop->guest_port;
	o->guest_value = stop->guest_value;
	if (stop->guest_port == MINIVMM_ISA_DEBUG_EXIT_PORT)
		set_reason(o,
			   "the guest wrote %u to QEMU's isa-debug-exit port 0x%x: status "
			   "(%u << 1) | 1 = %d",
			   stop->guest_value, stop->guest_port, stop->guest_value, stop->status);
	else if (stop->guest_value > MINIVMM_EXIT_STATUS_MAX)
		set_reason(o,
			   "the guest wrote %u to minivmm's exit port 0x%x: above %d, which are "
			   "minivmm's statuses, so status %d",
			   stop->guest_value, stop->guest_port, MINIVMM_EXIT_STATUS_MAX,
			   stop->status);
	else
		set_reason(o, "the guest wrote %u to minivmm's exit port 0x%x", stop->guest_value,
			   stop->guest_port);
}

/* The first vCPU report (a guest fault, unclaimed I/O with --strict-io, a KVM failure). */
static bool describe_vcpu_report(struct run_outcome *o, const struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu_report *r = &vm->vcpus[i].report;
		if (r->valid) {
			set_reason(o, "vCPU %u stopped: %s: %s", i, r->what, r->detail);
			return true;
		}
	}
	return false;
}

void run_outcome_from_vm(struct run_outcome *o, const struct vm *vm)
{
	const struct stop_request *stop = &vm->stop;
	enum stop_reason reason = atomic_load(&stop->reason);
	*o = (struct run_outcome){.ended_by = RUN_ENDED_BY_MINIVMM, .status = stop->status};
	switch (reason) {
	case STOP_GUEST_EXIT:
		describe_guest_exit(o, stop);
		return;
	case STOP_USER_QUIT:
		o->ended_by = RUN_ENDED_BY_USER;
		set_reason(o, "quit with Ctrl-A x");
		return;
	case STOP_SIGNAL:
		o->ended_by = RUN_ENDED_BY_SIGNAL;
		set_reason(o, "stopped by signal %d%s", stop->status - VMM_EXIT_SIGNAL_BASE,
			   signal_name(stop->status - VMM_EXIT_SIGNAL_BASE));
		return;
	case STOP_TIMEOUT:
		set_reason(o, "guest still running after --timeout %g s: stopped",
			   vm->cfg.timeout_seconds);
		return;
	case STOP_POWER_OFF:
		o->ended_by = RUN_ENDED_BY_GUEST;
		set_reason(o, "guest powered off (ACPI S5 through PM1_CNT at port 0x%x)",
			   PC_ACPI_PM1A_CNT_BLK);
		return;
	case STOP_GUEST_RESET:
		set_reason(o, "the guest reset the machine (%s)%s", vm->reboot.source,
			   vm->cfg.reboot ? ": too many reboots" : " and --reboot was not given");
		return;
	default:
		if (!describe_vcpu_report(o, vm))
			set_reason(o, "%s", stop_reason_name(reason));
		return;
	}
}

void run_result_note_guest_exit(FILE *out, const struct stop_request *stop)
{
	if (atomic_load(&stop->reason) != STOP_GUEST_EXIT)
		return;
	if (stop->guest_port == MINIVMM_EXIT_PORT && stop->guest_value > MINIVMM_EXIT_STATUS_MAX)
		fprintf(out,
			"minivmm: note: the guest wrote %u to exit port 0x%x; guest statuses are "
			"0-%d (64 and up are minivmm's), so the run ends with %d\n",
			stop->guest_value, stop->guest_port, MINIVMM_EXIT_STATUS_MAX, stop->status);
	else if (stop->guest_port == MINIVMM_ISA_DEBUG_EXIT_PORT &&
		 stop->status > MINIVMM_EXIT_STATUS_MAX)
		fprintf(
		    out,
		    "minivmm: note: status %d is the guest's own: it wrote %u to isa-debug-exit "
		    "port 0x%x, (%u << 1) | 1; minivmm did not end the run\n",
		    stop->status, stop->guest_value, stop->guest_port, stop->guest_value);
}

static const char *const ended_by_names[] = {
    [RUN_ENDED_BY_GUEST] = "guest",
    [RUN_ENDED_BY_MINIVMM] = "minivmm",
    [RUN_ENDED_BY_USER] = "user",
    [RUN_ENDED_BY_SIGNAL] = "signal",
};

/* Bytes of the valid UTF-8 sequence at s (of at most left bytes), or 0 if there is none. */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (s[0] >= 0xf5 || n == 0 || n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/* s as the body of a JSON string: quotes, backslashes and control bytes escaped, invalid UTF-8
 * (a file name can hold any byte) replaced by U+FFFD. Stops before overflowing out. */
static size_t json_escape(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t used = 0;
	while (p < end) {
		char piece[8];
		size_t take = 1, n = 1; /* bytes of s consumed, bytes written */
		if (*p == '"' || *p == '\\') {
			piece[0] = '\\';
			piece[1] = (char)*p;
			n = 2;
		} else if (*p < 0x20) {
			snprintf(piece, sizeof piece, "\\u%04x", *p);
			n = 6;
		} else if (*p < 0x80) {
			piece[0] = (char)*p;
		} else if ((take = utf8_sequence(p, (size_t)(end - p))) > 0) {
			memcpy(piece, p, take);
			n = take;
		} else {
			memcpy(piece, "\\ufffd", 6);
			take = 1;
			n = 6;
		}
		if (used + n >= cap)
			break;
		memcpy(out + used, piece, n);
		used += n;
		p += take;
	}
	out[used] = '\0';
	return used;
}

size_t run_outcome_json(const struct run_outcome *o, char *buf, size_t len)
{
	char reason[2 * sizeof o->reason];
	json_escape(o->reason, reason, sizeof reason);
	char guest[64] = "\"guest_value\": null, \"exit_port\": null";
	if (o->guest_exit)
		snprintf(guest, sizeof guest, "\"guest_value\": %u, \"exit_port\": \"0x%x\"",
			 o->guest_value, o->exit_port);
	int n =
	    snprintf(buf, len, "{\"ended_by\": \"%s\", \"reason\": \"%s\", \"status\": %d, %s}\n",
		     ended_by_names[o->ended_by], reason, o->status, guest);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

int run_result_open(const char *path, int *fd, struct vmm_error *err)
{
	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (*fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_USAGE,
				     "cannot write --result file '%s': %s: give a writable path",
				     path, strerror(errno));
	return 0;
}

int run_result_write(int fd, const struct run_outcome *o)
{
	char json[2048];
	size_t len = run_outcome_json(o, json, sizeof json);
	int ret = 0;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, json + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0 && ret == 0)
		ret = -errno;
	return ret;
}
