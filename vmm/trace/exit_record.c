/* SPDX-License-Identifier: MIT */
#include "trace/exit_record.h"

#include <linux/kvm.h>

const char *exit_reason_name(uint32_t kvm_reason)
{
	/* api.rst section 5, "exit_reason" values. */
	switch (kvm_reason) {
	case KVM_EXIT_IO:
		return "IO";
	case KVM_EXIT_MMIO:
		return "MMIO";
	case KVM_EXIT_HLT:
		return "HLT";
	case KVM_EXIT_SHUTDOWN:
		return "SHUTDOWN";
	case KVM_EXIT_INTR:
		return "INTR";
	case KVM_EXIT_FAIL_ENTRY:
		return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR:
		return "INTERNAL_ERROR";
	case KVM_EXIT_DEBUG:
		return "DEBUG";
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return "IRQ_WINDOW";
	case KVM_EXIT_SYSTEM_EVENT:
		return "SYSTEM_EVENT";
	case KVM_EXIT_X86_RDMSR:
		return "RDMSR";
	case KVM_EXIT_X86_WRMSR:
		return "WRMSR";
	case KVM_EXIT_UNKNOWN:
		return "UNKNOWN";
	default:
		return "OTHER";
	}
}
