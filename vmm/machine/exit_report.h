/* SPDX-License-Identifier: MIT */
/* Printing a vCPU's stop report: why it stopped, and its registers, for the user. */
#ifndef MINIVMM_EXIT_REPORT_H
#define MINIVMM_EXIT_REPORT_H

#include <stdio.h>

#include "machine/vcpu.h"

void exit_report_print(FILE *out, const struct vcpu *vcpu);

/* The register lines of that report (also the control socket's regs command). */
void exit_report_print_regs(FILE *out, const struct kvm_regs *regs, const struct kvm_sregs *sregs);

/* "kernel mode, ring 0", "user mode, ring 3", "real mode"... from the segment state. */
const char *exit_report_cpl_name(const struct kvm_sregs *sregs);

#endif
