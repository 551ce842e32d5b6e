#include "cli/info.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

static void info_usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm info [--kvm PATH]\n"
		"       minivmm info --cpuid [--cpu-model host|baseline] [--cpus N] [--vcpu K]\n"
		"                    [--kvm PATH]\n"
		"       minivmm info --cpuid --raw [--kvm PATH]\n"
		"\n"
		"Without --cpuid: what this host offers for virtualization, and what it means.\n"
		"--cpuid: the CPUID the guest will see (vCPU K of N, default 0 of 1), leaf by\n"
		"leaf, as KVM keeps it; marks what minivmm changed from KVM's supported set and\n"
		"what KVM changed back (docs/cpu-model.md).\n"
		"--raw: KVM_GET_SUPPORTED_CPUID as it is, one entry a line (function index flags\n"
		"eax ebx ecx edx, hex): a host's record for tests/unit/fixtures/.\n");
}

static int info_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "minivmm: info: %s%s%s (see minivmm info --help)\n", what, arg ? " " : "",
		arg ? arg : "");
	return VMM_EXIT_USAGE;
}

/* 0 to go on, -1 for --help, else an exit status. */
static int parse_info(int argc, char **argv, struct info_options *o)
{
	enum { OPT_KVM = 256, OPT_CPUID, OPT_RAW, OPT_CPU_MODEL, OPT_CPUS, OPT_VCPU };
	static const struct option longopts[] = {
	    {"kvm", required_argument, NULL, OPT_KVM},
	    {"cpuid", no_argument, NULL, OPT_CPUID},
	    {"raw", no_argument, NULL, OPT_RAW},
	    {"cpu-model", required_argument, NULL, OPT_CPU_MODEL},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"vcpu", required_argument, NULL, OPT_VCPU},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	*o = (struct info_options){.kvm_device = KVM_DEFAULT_DEVICE, .cpu.vcpu_count = 1};
	bool model_given = false, cpus_given = false;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		char *end;
		long n;
		switch (c) {
		case OPT_KVM:
			o->kvm_device = optarg;
			break;
		case OPT_CPUID:
			o->cpuid = true;
			break;
		case OPT_RAW:
			o->raw = true;
			break;
		case OPT_CPU_MODEL:
			model_given = true;
			if (!cpu_model_parse(optarg, &o->cpu.model))
				return info_usage_error(
				    "invalid --cpu-model: give host or baseline, not", optarg);
			break;
		case OPT_CPUS:
		case OPT_VCPU:
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] < '0' || optarg[0] > '9' ||
			    n < (c == OPT_CPUS) || n > 8 - (c == OPT_VCPU))
				return info_usage_error(c == OPT_CPUS
							    ? "invalid --cpus: give 1 to 8, not"
							    : "invalid --vcpu: give 0 to 7, not",
							optarg);
			if (c == OPT_CPUS) {
				o->cpu.vcpu_count = (unsigned)n;
				cpus_given = true;
			} else {
				o->vcpu = (unsigned)n;
			}
			break;
		case 'h':
			return -1;
		case ':':
			return info_usage_error("missing the value of", argv[optind - 1]);
		default:
			return info_usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return info_usage_error("unexpected argument", argv[optind]);
	if (!o->cpuid && (model_given || cpus_given || o->vcpu || o->raw))
		return info_usage_error("--cpu-model, --cpus, --vcpu and --raw go with --cpuid",
					NULL);
	if (o->raw && (model_given || cpus_given || o->vcpu))
		return info_usage_error(
		    "--raw shows KVM's own set: no --cpu-model, --cpus or --vcpu", NULL);
	if (o->vcpu >= o->cpu.vcpu_count)
		return info_usage_error("--vcpu must be below --cpus", NULL);
	return 0;
}

static int print_cpuid(struct kvm *kvm, const struct info_options *o)
{
	struct kvm_cpuid2 *supported = NULL, *asked = NULL, *applied = NULL;
	struct vmm_error err = {0};
	if (x86_guest_cpuid(kvm, &o->cpu, o->vcpu, &supported, &asked, &err) == 0 && o->raw) {
		for (uint32_t i = 0; i < supported->nent; i++) {
			const struct kvm_cpuid_entry2 *e = &supported->entries[i];
			printf("%08x %08x %x %08x %08x %08x %08x\n", e->function, e->index,
			       e->flags, e->eax, e->ebx, e->ecx, e->edx);
		}
	} else if (!err.status && x86_applied_cpuid(kvm, asked, &applied, &err) == 0) {
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
	if (err.status)
		fprintf(stderr, "minivmm: %s\n", err.msg);
	return err.status;
}

int info_command(int argc, char **argv)
{
	struct info_options o;
	int ret = parse_info(argc, argv, &o);
	if (ret) {
		if (ret < 0)
			info_usage(stdout);
		return ret < 0 ? 0 : ret;
	}
	const char *kvm_device = o.kvm_device;
	if (o.cpuid) {
		struct kvm kvm;
		struct vmm_error err;
		if (kvm_open(&kvm, kvm_device, &err) != 0) {
			fprintf(stderr, "minivmm: %s\n", err.msg);
			return err.status;
		}
		return print_cpuid(&kvm, &o);
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
