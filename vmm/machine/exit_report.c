/* SPDX-License-Identifier: MIT */
#include "machine/exit_report.h"

#include <stdarg.h>
#include <sys/ioctl.h>

void vcpu_report_fault(struct vcpu *vcpu, const char *what, const char *detail_fmt, ...)
{
	struct vcpu_report *r = &vcpu->report;
	va_list ap;
	snprintf(r->what, sizeof r->what, "%s", what);
	va_start(ap, detail_fmt);
	vsnprintf(r->detail, sizeof r->detail, detail_fmt, ap);
	va_end(ap);
	/* Called on the vCPU's own thread, outside KVM_RUN, so the registers are current. */
	r->has_regs = ioctl(vcpu->fd, KVM_GET_REGS, &r->regs) == 0 &&
		      ioctl(vcpu->fd, KVM_GET_SREGS, &r->sregs) == 0;
	r->valid = true;
}

const char *exit_report_cpl_name(const struct kvm_sregs *s)
{
	/* CPL is CS.DPL for a code segment in protected/long mode (Intel SDM vol. 3A, 5.5). */
	if (!(s->cr0 & 1))
		return "real mode";
	return s->cs.dpl == 3	? "user mode, ring 3"
	       : s->cs.dpl == 0 ? "kernel mode, ring 0"
				: "ring 1/2";
}

void exit_report_print_regs(FILE *out, const struct kvm_regs *g, const struct kvm_sregs *s)
{
	fprintf(out, "  rip %016llx  rsp %016llx  rflags %08llx  (%s)\n", g->rip, g->rsp, g->rflags,
		exit_report_cpl_name(s));
	fprintf(out, "  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n", g->rax, g->rbx,
		g->rcx, g->rdx);
	fprintf(out, "  rsi %016llx  rdi %016llx  rbp %016llx\n", g->rsi, g->rdi, g->rbp);
	fprintf(out, "  cr0 %016llx  cr2 %016llx  cr3 %016llx  cr4 %016llx  efer %llx\n", s->cr0,
		s->cr2, s->cr3, s->cr4, s->efer);
	fprintf(out, "  cs %04x  ds %04x  es %04x  ss %04x  fs %04x  gs %04x  tr %04x\n",
		s->cs.selector, s->ds.selector, s->es.selector, s->ss.selector, s->fs.selector,
		s->gs.selector, s->tr.selector);
	fprintf(out, "  gdt %llx/%x  idt %llx/%x\n", s->gdt.base, s->gdt.limit, s->idt.base,
		s->idt.limit);
}

void exit_report_print(FILE *out, const struct vcpu *vcpu)
{
	const struct vcpu_report *r = &vcpu->report;
	if (!r->valid)
		return;
	fprintf(out, "minivmm: vCPU %u stopped: %s\n", vcpu->index, r->what);
	fprintf(out, "  %s\n", r->detail);
	if (!r->has_regs) {
		fprintf(out, "  (registers unavailable)\n");
		return;
	}
	exit_report_print_regs(out, &r->regs, &r->sregs);
}
