/* SPDX-License-Identifier: MIT */
/* What the host offers for virtualization, as the seed's chapter 10 checks it, plus which KVM
 * module serves /dev/kvm: used by `minivmm info` and to caveat `minivmm compare`'s figures. */
#ifndef MINIVMM_HOST_VIRT_H
#define MINIVMM_HOST_VIRT_H

#include <stdbool.h>
#include <stddef.h>

struct host_virt {
	int flag_lines;	       /* /proc/cpuinfo flags lines naming vmx or svm (-1: unreadable) */
	const char *flag;      /* "vmx (Intel VT-x)", "svm (AMD-V)" or NULL */
	bool under_hypervisor; /* the "hypervisor" CPU flag: this host is itself a VM */
	char kvm_modules[256]; /* loaded kvm_* modules, comma-separated */
};

void host_virt_probe(struct host_virt *hv);

/* True when guest timings include an outer hypervisor or software-emulated ring 0. */
static inline bool host_virt_is_nested(const struct host_virt *hv)
{
	return hv->flag_lines <= 0;
}

/* The module's "nested" parameter: 1 or 0, -1 if it has none. */
int host_virt_module_nested(const char *module);

#endif
