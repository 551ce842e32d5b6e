/* SPDX-License-Identifier: MIT */
#include "trace/trace_text.h"

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>

void format_duration(char *buf, size_t size, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, size, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.3fms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.3fs", (double)ns / 1e9);
}

void format_exit_detail(char *buf, size_t size, const struct exit_record *rec)
{
	bool write = rec->flags & EXIT_RECORD_WRITE;
	unsigned digits = rec->size ? rec->size * 2u : 2u;
	unsigned long long data = rec->data;
	int n = 0;

	buf[0] = '\0';
	if (rec->kvm_reason == KVM_EXIT_IO)
		n = snprintf(buf, size, "%s 0x%03llx %uB 0x%0*llx", write ? "out" : "in",
			     (unsigned long long)rec->addr, rec->size, digits, data);
	else if (rec->kvm_reason == KVM_EXIT_MMIO)
		n = snprintf(buf, size, "%s 0x%llx %uB 0x%0*llx", write ? "write" : "read",
			     (unsigned long long)rec->addr, rec->size, digits, data);
	else
		return;
	if (n < 0 || (size_t)n >= size)
		return;
	if (rec->count > 1)
		n += snprintf(buf + n, size - (size_t)n, " x%u", rec->count);
	else if (write && rec->size == 1 && data >= 0x20 && data < 0x7f && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " '%c'", (char)data);
	else if (write && rec->size == 1 && data == '\n' && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " '\\n'");
	else if (write && rec->size == 1 && data == '\r' && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " '\\r'");
}

void format_exit_line(char *buf, size_t size, const struct exit_record *rec)
{
	char detail[64], guest[24], vmm[24], in_kernel[64] = "";
	format_exit_detail(detail, sizeof detail, rec);
	format_duration(guest, sizeof guest, rec->t_exit - rec->t_run);
	format_duration(vmm, sizeof vmm, rec->t_done - rec->t_exit);
	const char *device = rec->device			    ? rec->device
			     : (rec->flags & EXIT_RECORD_UNCLAIMED) ? "unclaimed"
								    : "-";
	if (exit_record_has_in_kernel(rec) && rec->in_kernel_exits && rec->in_kernel_span > 1)
		snprintf(in_kernel, sizeof in_kernel, "  (+%u in-kernel over the last %u exits)",
			 rec->in_kernel_exits, rec->in_kernel_span);
	else if (exit_record_has_in_kernel(rec) && rec->in_kernel_exits)
		snprintf(in_kernel, sizeof in_kernel, "  (+%u in-kernel)", rec->in_kernel_exits);
	/* --cpus N: a line of vCPU k > 0 ends with "vcpu k"; no tag means vCPU 0, so a one-vCPU
	 * trace reads as before. */
	char vcpu[16] = "";
	if (rec->vcpu > 0)
		snprintf(vcpu, sizeof vcpu, "  vcpu %u", (unsigned)rec->vcpu);
	snprintf(buf, size, "#%6llu  +%.3fms  %-5s %-30s %-14s guest %-8s vmm %-8s%s%s",
		 (unsigned long long)rec->seq, (double)rec->t_exit / 1e6,
		 exit_reason_name(rec->kvm_reason), detail, device, guest, vmm, in_kernel, vcpu);
}
