#include "info.h"

#include <stdio.h>
#include <string.h>

#include "host_virt.h"
#include "kvm.h"
#include "sandbox.h"

int info_command(const char *kvm_device)
{
	struct host_virt hv;
	host_virt_probe(&hv);
	const char *flag = hv.flag, *modules = hv.kvm_modules;
	int flag_lines = hv.flag_lines;
	bool under_hypervisor = hv.under_hypervisor;

	printf("minivmm %s\n\n", MINIVMM_VERSION);
	printf("CPU virtualization flag:  %d cpuinfo line(s) with vmx/svm%s%s\n", flag_lines,
	       flag ? ": " : "", flag ? flag : " (none)");
	printf("running under a hypervisor: %s\n", under_hypervisor ? "yes" : "no");
	printf("kvm modules loaded:       %s\n", modules[0] ? modules : "(none)");
	for (const char *m = modules; *m;) {
		char name[64];
		size_t len = strcspn(m, ",");
		snprintf(name, sizeof name, "%.*s", (int)len, m);
		int nested = host_virt_module_nested(name);
		if (nested >= 0)
			printf("  %s nested=%s (guests of ours may run their own VMs: %s)\n", name,
			       nested ? "Y" : "N", nested ? "yes" : "no");
		m += len;
		while (*m == ',' || *m == ' ')
			m++;
	}
	sandbox_print_info(stdout);

	struct kvm kvm;
	struct vmm_error err;
	if (kvm_open(&kvm, kvm_device, &err) != 0) {
		printf("\n%s: not usable\nminivmm: %s\n", kvm_device, err.msg);
		return err.status;
	}
	printf("\n%s: usable, KVM API version %d, vCPU mmap size %zu bytes\n", kvm_device,
	       kvm.api_version, kvm.vcpu_mmap_size);
	printf("capabilities:\n");
	for (size_t i = 0; i < kvm_capability_count; i++) {
		const struct kvm_capability_info *c = &kvm_capabilities[i];
		int v = kvm_check_extension(&kvm, c->cap);
		printf("  %-28s %-4s %s%s\n", c->name, v > 0 ? "yes" : "no", c->why,
		       c->required ? " (required)" : "");
	}
	kvm_close(&kvm);

	printf("\nwhat this means:\n");
	if (flag_lines > 0)
		printf(
		    "  Hardware virtualization (%s) is visible: guest code runs natively in VMX\n"
		    "  non-root / SVM guest mode, at every privilege level.\n",
		    flag);
	else if (under_hypervisor)
		printf(
		    "  No vmx/svm flag, and this machine is itself a VM: KVM works here through\n"
		    "  a software nested mode (%s). Guest user-mode (ring 3) code runs natively,\n"
		    "  but guest kernel-mode (ring 0) code may be emulated instruction by\n"
		    "  instruction, and every exit also passes through the outer hypervisor.\n"
		    "  Absolute timings include that: compare ratios measured in one run.\n",
		    modules[0] ? modules : "unknown module");
	else
		printf("  No vmx/svm flag, yet /dev/kvm works: a software KVM implementation.\n"
		       "  Expect slow guest kernel code; compare ratios, not absolute figures.\n");
	return 0;
}
