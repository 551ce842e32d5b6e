/* `minivmm info`: what this host offers for virtualization, and what it means for the user. */
#ifndef MINIVMM_INFO_H
#define MINIVMM_INFO_H

/* `minivmm info [options]` (argv[0] is "info"): prints the report, or with --cpuid the guest's
 * CPUID; returns a process exit status (0 if KVM is usable). */
int info_command(int argc, char **argv);

#endif
