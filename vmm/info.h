/* `minivmm info`: what this host offers for virtualization, and what it means for the user. */
#ifndef MINIVMM_INFO_H
#define MINIVMM_INFO_H

/* Prints the report; returns a process exit status (0 if KVM is usable). */
int info_command(const char *kvm_device);

#endif
