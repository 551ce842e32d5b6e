/* SPDX-License-Identifier: MIT */
#include "cli/info.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/option_values.h"
#include "cli/options.h"
#include "gdb/gdb_probe.h"
#include "host/host_virt.h"
#include "machine/kvm.h"
#include "host/sandbox.h"
#include "x86/cpuid.h"
#include "x86/cpuid_report.h"

struct info_options {
	const char *kvm_device;
	bool cpuid;
	bool raw; /* --raw: KVM's supported set as it is, the fixture format of tests/unit */
	struct x86_cpu_config cpu;
	unsigned vcpu;
	bool model_given, cpus_given; /* for the checks that they go with --cpuid */
};

void info_usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm info [options]\n"
		"\n"
		"Without --cpuid: what this host offers for virtualization, and what it means.\n"
		"With --cpuid: the CPUID the guest will see (vCPU K of N, default 0 of 1), leaf\n"
		"by leaf, as KVM keeps it; marks what minivmm changed from KVM's supported set\n"
		"and what KVM changed back (docs/cpu-model.md).\n"
		"\n"
		"info options:\n"
		"      --kvm PATH       the KVM device (default " KVM_DEFAULT_DEVICE ")\n"
		"      --cpuid          print the guest's CPUID instead of the host report\n"
		"      --cpu-model MODEL  with --cpuid: host (default) or baseline, as for run\n"
		"      --cpus N         with --cpuid: the guest has N vCPUs, 1 to %d (default 1)\n"
		"      --vcpu K         with --cpuid: show vCPU K, 0 to N-1 (default 0)\n"
		"      --raw            with --cpuid: KVM_GET_SUPPORTED_CPUID as it is, one entry\n"
		"                       a line (function index flags eax ebx ecx edx, hex): a\n"
		"                       host's record for tests/unit/fixtures/\n"
		"  -h, --help           this text\n",
		CLI_MAX_CPUS);
}

enum { OPT_KVM = 256, OPT_CPUID, OPT_RAW, OPT_CPU_MODEL, OPT_CPUS, OPT_VCPU };

static const struct option info_long_options[] = {
    {"kvm", required_argument, NULL, OPT_KVM},
    {"cpuid", no_argument, NULL, OPT_CPUID},
    {"raw", no_argument, NULL, OPT_RAW},
    {"cpu-model", required_argument, NULL, OPT_CPU_MODEL},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"vcpu", required_argument, NULL, OPT_VCPU},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

const struct cli_spec info_cli_spec = {
    .short_options = "h",
    .long_options = info_long_options,
    .usage = info_usage,
};

static int info_option(int opt, const char *arg, void *ctx, struct vmm_error *err)
{
	struct info_options *o = ctx;
	uint64_t n;
	int ret;
	switch (opt) {
	case OPT_KVM:
		o->kvm_device = arg;
		return cli_path("--kvm", arg, "--kvm " KVM_DEFAULT_DEVICE, err);
	case OPT_CPUID:
		o->cpuid = true;
		return 0;
	case OPT_RAW:
		o->raw = true;
		return 0;
	case OPT_CPU_MODEL:
		o->model_given = true;
		if (!cpu_model_parse(arg, &o->cpu.model))
			return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
					     "invalid --cpu-model '%s': give host or baseline",
					     arg);
		return 0;
	case OPT_CPUS:
		ret = cli_count("--cpus", arg, 1, CLI_MAX_CPUS, &n, err);
		if (!ret) {
			o->cpu.vcpu_count = (unsigned)n;
			o->cpus_given = true;
		}
		return ret;
	case OPT_VCPU:
		ret = cli_count("--vcpu", arg, 0, CLI_MAX_CPUS - 1, &n, err);
		if (!ret)
			o->vcpu = (unsigned)n;
		return ret;
	default: /* an option in info_long_options without a case here */
		return vmm_error_set(err, -EINVAL, VMM_EXIT_INTERNAL, "option %d not handled", opt);
	}
}

/* Returns 0, CLI_HELP, or -EINVAL with a usage error. */
static int parse_info(int argc, char **argv, struct info_options *o, struct vmm_error *err)
{
	*o = (struct info_options){.kvm_device = KVM_DEFAULT_DEVICE, .cpu.vcpu_count = 1};
	int ret = cli_parse(&info_cli_spec, argc, argv, info_option, o, NULL, err);
	if (ret)
		return ret;
	const char *cmd = argv[0];
	if (!o->cpuid && (o->model_given || o->cpus_given || o->vcpu || o->raw))
		return cli_usage_error(err, cmd,
				       "--cpu-model, --cpus, --vcpu and --raw go with --cpuid");
	if (o->raw && (o->model_given || o->cpus_given || o->vcpu))
		return cli_usage_error(
		    err, cmd, "--raw shows KVM's own set: no --cpu-model, --cpus or --vcpu");
	if (o->vcpu >= o->cpu.vcpu_count)
		return cli_usage_error(err, cmd, "--vcpu must be below --cpus");
	return 0;
}

static int print_cpuid(struct kvm *kvm, const struct info_options *o, struct vmm_error *err)
{
	struct kvm_cpuid2 *supported = NULL, *asked = NULL, *applied = NULL;
	int ret = x86_guest_cpuid(kvm, &o->cpu, o->vcpu, &supported, &asked, err);
	if (ret == 0 && o->raw) {
		for (uint32_t i = 0; i < supported->nent; i++) {
			const struct kvm_cpuid_entry2 *e = &supported->entries[i];
			printf("%08x %08x %x %08x %08x %08x %08x\n", e->function, e->index,
			       e->flags, e->eax, e->ebx, e->ecx, e->edx);
		}
	} else if (ret == 0 && (ret = x86_applied_cpuid(kvm, asked, &applied, err)) == 0) {
		cpuid_report_print(stdout, &(struct cpuid_report){
					       .supported = supported,
					       .asked = asked,
					       .applied = applied,
					       .kind = o->cpu.model,
					       .vcpu_count = o->cpu.vcpu_count,
					       .apic_id = o->vcpu,
					   });
	}
	free(supported);
	free(asked);
	free(applied);
	kvm_close(kvm);
	return ret;
}

int info_command(int argc, char **argv, struct vmm_error *err)
{
	struct info_options o;
	int ret = parse_info(argc, argv, &o, err);
	if (ret == CLI_HELP) {
		info_usage(stdout);
		return 0;
	}
	if (ret)
		return ret;
	const char *kvm_device = o.kvm_device;
	if (o.cpuid) {
		struct kvm kvm;
		ret = kvm_open(&kvm, kvm_device, err);
		return ret ? ret : print_cpuid(&kvm, &o, err);
	}
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
	ret = kvm_open(&kvm, kvm_device, err);
	if (ret) {
		printf("\n%s: not usable\n", kvm_device);
		return ret;
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

	struct gdb_host_debug debug;
	struct vmm_error probe_err;
	printf("\n");
	if (gdb_probe_host(kvm_device, &debug, &probe_err) == 0)
		gdb_probe_print(&debug, stdout);
	else
		printf("debugging with gdb: not probed: %s\n", probe_err.msg);

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
