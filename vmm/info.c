#include "info.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "kvm.h"

/* Counts /proc/cpuinfo "flags" lines naming vmx or svm, as the seed's chapter 10 does with
 * `egrep -c '^flags.*(vmx|svm)' /proc/cpuinfo`. */
static int count_virt_flag_lines(const char **which)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return -1;
	char line[8192];
	int count = 0;
	*which = NULL;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		for (char *tok = strtok(line, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
			if (strcmp(tok, "vmx") == 0 || strcmp(tok, "svm") == 0) {
				*which =
				    strcmp(tok, "vmx") == 0 ? "vmx (Intel VT-x)" : "svm (AMD-V)";
				count++;
				break;
			}
		}
	}
	fclose(f);
	return count;
}

static bool cpu_has_hypervisor_flag(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return false;
	char line[8192];
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		found = strncmp(line, "flags", 5) == 0 && strstr(line, " hypervisor");
	fclose(f);
	return found;
}

/* Which kvm vendor module is loaded: kvm_intel, kvm_amd, or another (kvm_pvm...). */
static void loaded_kvm_modules(char *out, size_t size)
{
	out[0] = '\0';
	DIR *d = opendir("/sys/module");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "kvm_", 4) != 0)
			continue;
		size_t n = strlen(out);
		snprintf(out + n, size - n, "%s%.60s", n ? ", " : "", e->d_name);
	}
	closedir(d);
}

static int read_nested_param(const char *module)
{
	char path[128], value[8] = "";
	snprintf(path, sizeof path, "/sys/module/%s/parameters/nested", module);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(value, sizeof value, f))
		value[0] = '\0';
	fclose(f);
	return value[0] == 'Y' || value[0] == '1';
}

int info_command(const char *kvm_device)
{
	const char *flag = NULL;
	int flag_lines = count_virt_flag_lines(&flag);
	bool under_hypervisor = cpu_has_hypervisor_flag();
	char modules[256];
	loaded_kvm_modules(modules, sizeof modules);

	printf("minivmm %s\n\n", MINIVMM_VERSION);
	printf("CPU virtualization flag:  %d cpuinfo line(s) with vmx/svm%s%s\n", flag_lines,
	       flag ? ": " : "", flag ? flag : " (none)");
	printf("running under a hypervisor: %s\n", under_hypervisor ? "yes" : "no");
	printf("kvm modules loaded:       %s\n", modules[0] ? modules : "(none)");
	for (const char *m = modules; *m;) {
		char name[64];
		size_t len = strcspn(m, ",");
		snprintf(name, sizeof name, "%.*s", (int)len, m);
		int nested = read_nested_param(name);
		if (nested >= 0)
			printf("  %s nested=%s (guests of ours may run their own VMs: %s)\n", name,
			       nested ? "Y" : "N", nested ? "yes" : "no");
		m += len;
		while (*m == ',' || *m == ' ')
			m++;
	}

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
