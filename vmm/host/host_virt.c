/* SPDX-License-Identifier: MIT */
#include "host/host_virt.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

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

int host_virt_module_nested(const char *module)
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

void host_virt_probe(struct host_virt *hv)
{
	hv->flag_lines = count_virt_flag_lines(&hv->flag);
	hv->under_hypervisor = cpu_has_hypervisor_flag();
	loaded_kvm_modules(hv->kvm_modules, sizeof hv->kvm_modules);
}
