/* Printing a vCPU's stop report: why it stopped, and its registers, for the user. */
#ifndef MINIVMM_EXIT_REPORT_H
#define MINIVMM_EXIT_REPORT_H

#include <stdio.h>

#include "machine/vcpu.h"

void exit_report_print(FILE *out, const struct vcpu *vcpu);

#endif
