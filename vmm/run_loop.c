/*
 * The heart of the VMM: enter the guest with KVM_RUN, and when KVM returns (a VM exit that the
 * kernel could not finish by itself), decode why and hand it on. Port and MMIO accesses go to a
 * bus; everything else ends the run with a report. This file knows no device by name.
 *
 * The exit reasons and the kvm_run fields are those of api.rst section 5 ("The kvm_run
 * structure").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vm.h"

/* Records or refuses an access no device claimed. Returns false if the run must stop. */
static bool note_unclaimed(struct vcpu *vcpu, const char *kind, uint64_t addr, uint32_t len,
			   bool is_write, const uint8_t *data)
{
	uint64_t value = 0;
	memcpy(&value, data, len < 8 ? len : 8);
	if (vcpu->unclaimed_io++ == 0)
		snprintf(vcpu->first_unclaimed, sizeof vcpu->first_unclaimed,
			 "%s %s 0x%" PRIx64 " (%u byte%s)", kind, is_write ? "write" : "read", addr,
			 len, len == 1 ? "" : "s");
	if (!vcpu->vm->cfg.strict_io)
		return true;
	char value_text[32] = "";
	if (is_write)
		snprintf(value_text, sizeof value_text, ", value 0x%" PRIx64, value);
	if (stop_request_raise(&vcpu->vm->stop, STOP_STRICT_IO, VMM_EXIT_STRICT_IO))
		vcpu_report_fault(vcpu, "access to unclaimed I/O (--strict-io)",
				  "%s %s of %u byte%s at 0x%" PRIx64 "%s: no device decodes this "
				  "address",
				  kind, is_write ? "write" : "read", len, len == 1 ? "" : "s", addr,
				  value_text);
	return false;
}

static void handle_pio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t size = run->io.size, count = run->io.count;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	/* The data lives in the kvm_run mapping at data_offset; "rep ins/outs" bring count items.
	 * Check the whole span against the mapping before touching it. */
	uint64_t span = (uint64_t)size * count;
	if (size == 0 || size > 4 || run->io.data_offset > vcpu->run_size ||
	    span > vcpu->run_size - run->io.data_offset) {
		stop_request_raise(&vcpu->vm->stop, STOP_VMM_ERROR, VMM_EXIT_INTERNAL);
		vcpu_report_fault(vcpu, "malformed KVM_EXIT_IO", "size %u count %u offset %llu",
				  size, count, (unsigned long long)run->io.data_offset);
		return;
	}
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	for (uint32_t i = 0; i < count; i++, data += size) {
		if (!bus_access(&vcpu->vm->pio_bus, run->io.port, data, size, is_write) &&
		    !note_unclaimed(vcpu, "port", run->io.port, size, is_write, data))
			return;
	}
}

static void handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t len = run->mmio.len;
	if (len == 0 || len > sizeof run->mmio.data) {
		stop_request_raise(&vcpu->vm->stop, STOP_VMM_ERROR, VMM_EXIT_INTERNAL);
		vcpu_report_fault(vcpu, "malformed KVM_EXIT_MMIO", "len %u", len);
		return;
	}
	if (!bus_access(&vcpu->vm->mmio_bus, run->mmio.phys_addr, run->mmio.data, len,
			run->mmio.is_write))
		note_unclaimed(vcpu, "MMIO", run->mmio.phys_addr, len, run->mmio.is_write,
			       run->mmio.data);
}

/* Ends the run because of the guest: records the report, then the stop. */
static void guest_fault(struct vcpu *vcpu, int status, const char *what, const char *detail)
{
	if (stop_request_raise(&vcpu->vm->stop, STOP_GUEST_FAULT, status))
		vcpu_report_fault(vcpu, what, "%s", detail);
}

static void handle_internal_error(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char detail[256];
	int n = snprintf(detail, sizeof detail, "suberror %u (%s)", run->internal.suberror,
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
			     ? "KVM could not emulate an instruction; see RIP"
			     : "see api.rst, KVM_EXIT_INTERNAL_ERROR");
	for (uint32_t i = 0; i < run->internal.ndata && i < 4 && n > 0 && (size_t)n < sizeof detail;
	     i++)
		n += snprintf(detail + n, sizeof detail - (size_t)n, " data[%u]=0x%llx", i,
			      (unsigned long long)run->internal.data[i]);
	guest_fault(vcpu, VMM_EXIT_GUEST_EMULATION, "KVM internal error (KVM_EXIT_INTERNAL_ERROR)",
		    detail);
}

static void handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char detail[160];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_pio(vcpu);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(vcpu);
		break;
	case KVM_EXIT_HLT:
		/* No interrupt controller yet: nothing could ever wake a halted vCPU. */
		guest_fault(vcpu, VMM_EXIT_GUEST_HALTED, "guest halted (KVM_EXIT_HLT)",
			    "HLT with no interrupt source to wake it: the guest stopped itself "
			    "without writing an exit port");
		break;
	case KVM_EXIT_SHUTDOWN:
		guest_fault(vcpu, VMM_EXIT_GUEST_TRIPLE_FAULT, "triple fault (KVM_EXIT_SHUTDOWN)",
			    "an exception occurred while the CPU could not deliver one (no valid "
			    "IDT, bad stack or handler); see RIP and the IDT");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(detail, sizeof detail,
			 "hardware entry failure reason 0x%llx on cpu %u: the register state is "
			 "invalid for VM entry (Intel SDM vol. 3C, 27.3)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		guest_fault(vcpu, VMM_EXIT_GUEST_ENTRY_FAILED,
			    "VM entry failed (KVM_EXIT_FAIL_ENTRY)", detail);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		handle_internal_error(vcpu);
		break;
	default:
		snprintf(detail, sizeof detail, "exit reason %u is not handled by minivmm",
			 run->exit_reason);
		guest_fault(vcpu, VMM_EXIT_GUEST_UNKNOWN_EXIT, "unexpected VM exit", detail);
		break;
	}
}

void vcpu_run_loop(struct vcpu *vcpu)
{
	struct stop_request *stop = &vcpu->vm->stop;

	while (!stop_requested(stop)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				/* A kick: clear immediate_exit and look at the stop request. */
				vcpu->run->immediate_exit = 0;
				continue;
			}
			char detail[128];
			snprintf(detail, sizeof detail, "KVM_RUN failed: %s", strerror(errno));
			if (stop_request_raise(stop, STOP_VMM_ERROR, VMM_EXIT_INTERNAL))
				vcpu_report_fault(vcpu, "cannot run the vCPU", "%s", detail);
			return;
		}
		vcpu->exits++;
		handle_exit(vcpu);
	}
	/* Stopped from outside while the guest ran: show where it was. */
	if (atomic_load(&stop->reason) == STOP_TIMEOUT && !vcpu->report.valid)
		vcpu_report_fault(vcpu, "stopped by --timeout",
				  "the guest was still running; this is where it was");
}
