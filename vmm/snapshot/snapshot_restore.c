/* SPDX-License-Identifier: MIT */
#include "snapshot/snapshot_restore.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot/snapshot.h"
#include "snapshot/snapshot_machine.h"
#include "snapshot/snapshot_vcpu.h"
#include "util/full_io.h"

int snapshot_file_open(struct snapshot_file *f, const char *path, struct vmm_error *err)
{
	memset(f, 0, sizeof *f);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_NO_GUEST_FILE,
				     "cannot open the snapshot %s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snapshot_file_close(f);
		return vmm_error_set(err, -EINVAL, VMM_EXIT_NO_GUEST_FILE,
				     "%s is not a regular file: give a snapshot file", path);
	}
	uint64_t file_size = (uint64_t)st.st_size;
	uint8_t first[sizeof(struct snapshot_header)];
	size_t have = file_size < sizeof first ? (size_t)file_size : sizeof first;
	struct snapshot_header h;
	int ret = pread_full(f->fd, first, have, 0);
	ret = ret ? vmm_error_set(err, ret, VMM_EXIT_NO_GUEST_FILE, "cannot read %s: %s", path,
				  strerror(-ret))
		  : snapshot_parse_header(first, have, file_size, &h, err);
	if (!ret && !(f->state = malloc(h.ram_offset)))
		ret = vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	if (!ret && (ret = pread_full(f->fd, f->state, h.ram_offset, 0)))
		ret = vmm_error_set(err, ret, VMM_EXIT_NO_GUEST_FILE, "cannot read %s: %s", path,
				    strerror(-ret));
	ret = ret ?: snapshot_parse(f->state, h.ram_offset, file_size, &f->view, err);
	if (ret) {
		snapshot_file_close(f);
		return vmm_error_prefix(err, ret, "%s", path);
	}
	f->ram = (struct vm_ram_file){.fd = f->fd, .offset = h.ram_offset};
	return 0;
}

void snapshot_file_close(struct snapshot_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->state);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

void snapshot_file_vm_config(const struct snapshot_file *f, struct vm_config *cfg)
{
	cfg->ram_size = f->view.header.ram_size;
	cfg->cpus = f->view.header.vcpu_count;
	cfg->no_irqchip = !(f->view.header.flags & SNAPSHOT_FLAG_IRQCHIP);
	cfg->ram_file = &f->ram;
}

/* Bits KVM sets from the guest's own state (CPUID.1:ECX OSXSAVE, the hypervisor bit;
 * CPUID.7:ECX OSPKE), which its supported set need not show. */
static const uint32_t dynamic_bits[SNAPSHOT_FEAT_WORDS] = {
    [SNAPSHOT_FEAT_1_ECX] = (1u << 27) | (1u << 31),
    [SNAPSHOT_FEAT_7_ECX] = 1u << 4,
};

static int check_host_cpu(const struct vm *vm, const struct snapshot_header *h,
			  struct vmm_error *err)
{
	/* What this host gives a new vCPU (vm_create set the host CPU model), its vendor and
	 * feature bits: KVM_GET_CPUID2
	 * rather than KVM_GET_SUPPORTED_CPUID, because some KVMs put the host's own bits into
	 * what the guest sees (x86/cpuid.c, x86_applied_cpuid), and the saved words came from
	 * KVM_GET_CPUID2 too. */
	struct kvm_cpuid2 *offered_cpuid =
	    calloc(1, sizeof *offered_cpuid + SNAPSHOT_MAX_CPUID * sizeof(struct kvm_cpuid_entry2));
	if (!offered_cpuid)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	offered_cpuid->nent = SNAPSHOT_MAX_CPUID;
	if (ioctl(vm->vcpus[0].fd, KVM_GET_CPUID2, offered_cpuid) < 0) {
		free(offered_cpuid);
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_GET_CPUID2 failed: %s", strerror(errno));
	}
	uint32_t offered[SNAPSHOT_FEAT_WORDS];
	char vendor[12];
	snapshot_vcpu_cpu_identity(offered_cpuid, vendor, offered);
	free(offered_cpuid);
	if (memcmp(vendor, h->cpu_vendor, sizeof vendor) != 0)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
				     "bad snapshot: saved on a %.12s CPU, this host is %.12s: "
				     "restore it on a host of the same vendor",
				     h->cpu_vendor, vendor);
	for (unsigned i = 0; i < SNAPSHOT_FEAT_WORDS; i++) {
		uint32_t missing = h->features[i] & ~offered[i] & ~dynamic_bits[i];
		if (missing)
			return vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
					     "bad snapshot: the guest's CPU has features this "
					     "host's KVM lacks (feature word %u, bits 0x%08x): "
					     "restore it on a host like the one that saved it",
					     i, missing);
	}
	return 0;
}

int snapshot_restore_vm(struct vm *vm, const struct snapshot_file *f, struct vmm_error *err)
{
	const struct snapshot_header *h = &f->view.header;
	if (vm->irqchip != !!(h->flags & SNAPSHOT_FLAG_IRQCHIP))
		return vmm_error_set(err, -ENODEV, VMM_EXIT_KVM_UNAVAILABLE,
				     "the snapshot's VM had an in-kernel irqchip, this KVM "
				     "cannot make one");
	int ret = check_host_cpu(vm, h, err);
	/* What this KVM saves is also what it restores (the XSAVE size, XCRs, debug registers),
	 * and the restored VM can be saved again. */
	ret = ret ?: snapshot_prepare(vm, err);
	ret = ret ?: snapshot_machine_restore(vm, &f->view, err);
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++)
		ret = snapshot_vcpu_restore(snapshot_vcpu_caps_of(vm), vm->vcpus[i].fd, i, &f->view,
					    err);
	return ret;
}
