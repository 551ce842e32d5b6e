/* SPDX-License-Identifier: MIT */
/*
 * fw_dump: builds a real VM with vm_create() (KVM, irqchip, the guest image loaded, the firmware
 * tables written: exactly what `minivmm run` does before the first KVM_RUN), then reads its guest
 * RAM as a kernel would (fw_walk.c) and writes each table it finds to OUTDIR/NAME.dat for
 * `iasl -d` (iasl_check.sh). It also checks what iasl cannot: the counts of processors in the
 * MADT and the MP table against --cpus, and that --no-irqchip has neither.
 *
 *   fw_dump [--cpus N] [--boot auto|direct64|multiboot] [--no-irqchip] [--bios-area FILE]
 *           GUEST OUTDIR
 *
 * --bios-area FILE also writes guest RAM [0xF0000, PC_FIRMWARE_TABLES_END) without its trailing
 * zeros: the seeds of the fw_walk fuzz target (tests/fuzz/corpus/fw_walk/).
 *
 * Exit status: 0 tables found and as expected; 1 a table missing, wrong or unreadable; 2 usage;
 * 77 no usable /dev/kvm (the test is skipped, visibly).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw_walk.h"
#include "loader/loader.h"
#include "machine/boot_protocol.h"
#include "machine/vm.h"
#include "platform/pc_layout.h"

static int usage(void)
{
	fprintf(stderr, "usage: fw_dump [--cpus N] [--boot auto|direct64|multiboot] "
			"[--no-irqchip] [--bios-area FILE] GUEST OUTDIR\n");
	return 2;
}

static int write_table(const char *dir, const struct fw_table *t)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.dat", dir, t->name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(t->bytes, 1, t->length, f) != t->length || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static int write_bios_area(const char *path, struct guest_mem *mem)
{
	const uint8_t *area =
	    guest_mem_gpa_to_hva(mem, PC_FIRMWARE_BASE, PC_FIRMWARE_TABLES_END - PC_FIRMWARE_BASE);
	size_t n = PC_FIRMWARE_TABLES_END - PC_FIRMWARE_BASE;
	while (n && area[n - 1] == 0)
		n--;
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(area, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* What the walk must have found for this configuration. */
static int check_expected(const struct fw_walk *w, unsigned cpus, bool irqchip)
{
	int bad = 0;
	if (!w->rsdp_ebda || !w->rsdp_scan) {
		fprintf(stderr, "fw_dump: RSDP found %s the EBDA and %s the BIOS-area scan\n",
			w->rsdp_ebda ? "through" : "NOT through", w->rsdp_scan ? "by" : "NOT by");
		bad = 1;
	}
	const char *needed[] = {"RSDP", "XSDT", "RSDT", "FACP", "FACS", "DSDT"};
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
		if (!fw_walk_find(w, needed[i])) {
			fprintf(stderr, "fw_dump: no %s\n", needed[i]);
			bad = 1;
		}
	bool madt = fw_walk_find(w, "APIC") != NULL;
	if (madt != irqchip || (w->mp_floating != 0) != irqchip) {
		fprintf(stderr, "fw_dump: MADT %s, MP table %s, with%s an irqchip\n",
			madt ? "present" : "absent", w->mp_floating ? "present" : "absent",
			irqchip ? "" : "out");
		bad = 1;
	}
	if (irqchip && (w->madt_lapics != cpus || w->mp_processors != cpus ||
			w->mp_bootstrap != 1 || w->madt_overrides != 2)) {
		fprintf(stderr,
			"fw_dump: %u vCPUs but MADT %u local APICs (%u overrides), MP %u "
			"processors (%u BSP)\n",
			cpus, w->madt_lapics, w->madt_overrides, w->mp_processors, w->mp_bootstrap);
		bad = 1;
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct vm_config cfg = {.ram_size = 64ull << 20, .console_in_fd = -1, .cpus = 1};
	const char *bios_area = NULL;
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--cpus") == 0 && i + 1 < argc) {
			cfg.cpus = (unsigned)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--boot") == 0 && i + 1 < argc) {
			if (boot_protocol_parse(argv[++i], &cfg.boot) != 0)
				return usage();
		} else if (strcmp(argv[i], "--no-irqchip") == 0) {
			cfg.no_irqchip = true;
		} else if (strcmp(argv[i], "--bios-area") == 0 && i + 1 < argc) {
			bios_area = argv[++i];
		} else {
			return usage();
		}
	}
	if (argc - i != 2 || cfg.cpus < 1 || cfg.cpus > VM_MAX_VCPUS)
		return usage();
	const char *guest = argv[i], *outdir = argv[i + 1];
	/* --cpus > 1 with multiboot: the APs wait for INIT-SIPI-SIPI, as on a PC. */
	cfg.sipi_smp = cfg.cpus > 1;
	struct vmm_error err = {0};
	void *image = NULL;
	size_t size = 0;
	if (load_file(guest, &image, &size, &err) != 0) {
		fprintf(stderr, "fw_dump: %s\n", err.msg);
		return 1;
	}
	cfg.image = image;
	cfg.image_size = size;
	cfg.image_name = guest;
	cfg.console_out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	static struct vm vm;
	int rc = 1;
	if (vm_create(&vm, &cfg, &err) != 0) {
		fprintf(stderr, "fw_dump: cannot build the VM: %s\n", err.msg);
		rc = err.status == VMM_EXIT_KVM_UNAVAILABLE || err.status == VMM_EXIT_NO_PERMISSION
			 ? 77
			 : 1;
		goto out;
	}
	struct fw_walk walk;
	const uint8_t *ram = guest_mem_gpa_to_hva(&vm.mem, 0, vm.mem.size);
	if (bios_area && write_bios_area(bios_area, &vm.mem) != 0)
		goto out;
	if (fw_walk(ram, vm.mem.size, &walk) != 0) {
		fprintf(stderr, "fw_dump: %s\n", walk.error);
		goto out;
	}
	rc = check_expected(&walk, cfg.cpus, vm.irqchip);
	for (size_t t = 0; t < walk.count; t++) {
		printf("%s at 0x%llx, %u bytes\n", walk.tables[t].name,
		       (unsigned long long)walk.tables[t].gpa, walk.tables[t].length);
		if (write_table(outdir, &walk.tables[t]) != 0)
			rc = 1;
	}
	printf("RSDP through the EBDA at 0x%llx, by the scan at 0x%llx; MADT %u CPUs, MP %u CPUs\n",
	       (unsigned long long)walk.rsdp_ebda, (unsigned long long)walk.rsdp_scan,
	       walk.madt_lapics, walk.mp_processors);
out:
	vm_destroy(&vm);
	free(image);
	close(cfg.console_out_fd);
	return rc;
}
