/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's state in and out of a snapshot.
 *
 * Restore order (api.rst section 4 and what KVM checks on each call):
 *  1. CPUID first (KVM_SET_CPUID2): KVM derives which MSRs, XSAVE components and CR4 bits are
 *     legal from it, and refuses most of them after the first KVM_RUN.
 *  2. SREGS before REGS and MSRs: CR0/CR4/EFER decide which MSRs (e.g. EFER-dependent ones)
 *     and which register values are valid.
 *  3. XSAVE (or FPU), XCRS: XCR0 only once CPUID allows its components.
 *  4. LAPIC before MSRs: IA32_TSC_DEADLINE is only writable when the LAPIC timer is in
 *     TSC-deadline mode.
 *  5. MSRs, with IA32_TSC: the guest's TSC goes on from the value it had when saved (the time
 *     the snapshot lay on disk does not exist for the guest; docs/snapshot.md).
 *  6. VCPU_EVENTS after the LAPIC (a pending interrupt must meet the LAPIC it belongs to), then
 *     DEBUGREGS, and MP state last: KVM_SET_MP_STATE may make an AP runnable, which must not
 *     happen before everything else is in place.
 */
#include "snapshot/snapshot_vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "machine/kvm.h"
#include "snapshot/snapshot_format.h"
#include "snapshot/snapshot_parser.h"
#include "snapshot/snapshot_writer.h"

#define LEGACY_XSAVE_SIZE 4096u /* struct kvm_xsave */

static int kvm_fail(struct vmm_error *err, const char *what, unsigned index)
{
	return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE, "vCPU %u: %s failed: %s", index,
			     what, strerror(errno));
}

static int bad(struct vmm_error *err, const char *section, const char *why)
{
	return vmm_error_set(err, -EINVAL, VMM_EXIT_GUEST_IMAGE, "bad snapshot: section '%s' %s",
			     section, why);
}

static void section_name(char *name, unsigned index, const char *part)
{
	snprintf(name, SNAPSHOT_SECTION_NAME_SIZE, "vcpu%u.%s", index, part);
}

/* Room for any one fixed-size part of a vCPU's state. */
union vcpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs debugregs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp_state;
};

/* An MSR list buffer of count entries (struct kvm_msrs + entries). */
static struct kvm_msrs *msrs_alloc(uint32_t count)
{
	struct kvm_msrs *m = calloc(1, sizeof *m + count * sizeof(struct kvm_msr_entry));
	if (m)
		m->nmsrs = count;
	return m;
}

int snapshot_vcpu_caps_probe(const struct kvm *kvm, int vcpu_fd, bool irqchip,
			     struct snapshot_vcpu_caps *caps, struct vmm_error *err)
{
	memset(caps, 0, sizeof *caps);
	caps->irqchip = irqchip;
	int xsave2 = kvm_check_extension(kvm, KVM_CAP_XSAVE2);
	if (xsave2 >= (int)LEGACY_XSAVE_SIZE)
		caps->xsave_size = (uint32_t)xsave2;
	else if (kvm_check_extension(kvm, KVM_CAP_XSAVE) > 0)
		caps->xsave_size = LEGACY_XSAVE_SIZE;
	caps->xcrs = kvm_check_extension(kvm, KVM_CAP_XCRS) > 0;
	caps->debugregs = kvm_check_extension(kvm, KVM_CAP_DEBUGREGS) > 0;
	caps->kvmclock = kvm_check_extension(kvm, KVM_CAP_ADJUST_CLOCK) > 0;

	/* api.rst 4.39 KVM_GET_MSR_INDEX_LIST: E2BIG with the count when the list is short. */
	struct kvm_msr_list *list = calloc(1, sizeof *list + SNAPSHOT_MAX_MSRS * sizeof(uint32_t));
	if (!list)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	list->nmsrs = SNAPSHOT_MAX_MSRS;
	if (ioctl(kvm->fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
		free(list);
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_GET_MSR_INDEX_LIST failed: %s", strerror(errno));
	}
	/* KVM_GET_MSRS stops at the first MSR it cannot read (one this vCPU's CPUID does not
	 * have) and returns how many it read: drop that one and ask again. */
	struct kvm_msrs *m = msrs_alloc(list->nmsrs);
	if (!m) {
		free(list);
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	}
	uint32_t count = list->nmsrs;
	for (uint32_t i = 0; i < count; i++)
		m->entries[i].index = list->indices[i];
	free(list);
	for (;;) {
		m->nmsrs = count;
		int n = ioctl(vcpu_fd, KVM_GET_MSRS, m);
		if (n < 0) {
			free(m);
			return kvm_fail(err, "KVM_GET_MSRS", 0);
		}
		if ((uint32_t)n >= count)
			break;
		memmove(&m->entries[n], &m->entries[n + 1],
			(count - (uint32_t)n - 1) * sizeof m->entries[0]);
		count--;
	}
	caps->msr_count = count;
	for (uint32_t i = 0; i < count; i++)
		caps->msrs[i] = m->entries[i].index;
	free(m);
	return 0;
}

/* A fixed-size KVM_GET_* into a section of its own. */
static int save_fixed(int fd, unsigned long req, void *buf, size_t size, const char *what,
		      unsigned index, const char *part, struct snapshot_builder *b,
		      struct vmm_error *err)
{
	if (ioctl(fd, req, buf) < 0)
		return kvm_fail(err, what, index);
	char name[SNAPSHOT_SECTION_NAME_SIZE];
	section_name(name, index, part);
	return snapshot_builder_add(b, name, buf, size, err);
}

static int save_cpuid(int fd, unsigned index, struct snapshot_builder *b, struct vmm_error *err)
{
	struct kvm_cpuid2 *c =
	    calloc(1, sizeof *c + SNAPSHOT_MAX_CPUID * sizeof(struct kvm_cpuid_entry2));
	if (!c)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	c->nent = SNAPSHOT_MAX_CPUID;
	int ret = 0;
	if (ioctl(fd, KVM_GET_CPUID2, c) < 0)
		ret = kvm_fail(err, "KVM_GET_CPUID2", index);
	char name[SNAPSHOT_SECTION_NAME_SIZE];
	section_name(name, index, "cpuid");
	ret = ret ?: snapshot_builder_add(b, name, c->entries, c->nent * sizeof c->entries[0], err);
	free(c);
	return ret;
}

static int save_msrs(const struct snapshot_vcpu_caps *caps, int fd, unsigned index,
		     struct snapshot_builder *b, struct vmm_error *err)
{
	struct kvm_msrs *m = msrs_alloc(caps->msr_count);
	if (!m)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	for (uint32_t i = 0; i < caps->msr_count; i++)
		m->entries[i].index = caps->msrs[i];
	int n = ioctl(fd, KVM_GET_MSRS, m);
	int ret = 0;
	if (n < 0)
		ret = kvm_fail(err, "KVM_GET_MSRS", index);
	else if ((uint32_t)n != caps->msr_count)
		ret = vmm_error_set(err, -EIO, VMM_EXIT_INTERNAL,
				    "vCPU %u: KVM_GET_MSRS read %d of %u MSRs (MSR 0x%x)", index, n,
				    caps->msr_count, caps->msrs[n]);
	char name[SNAPSHOT_SECTION_NAME_SIZE];
	section_name(name, index, "msrs");
	ret = ret
		  ?: snapshot_builder_add(b, name, m->entries,
					  caps->msr_count * sizeof m->entries[0], err);
	free(m);
	return ret;
}

int snapshot_vcpu_save(const struct snapshot_vcpu_caps *caps, int fd, unsigned index,
		       struct snapshot_builder *b, struct vmm_error *err)
{
	union vcpu_state s;
	int ret = save_cpuid(fd, index, b, err);
	ret = ret
		  ?: save_fixed(fd, KVM_GET_REGS, &s, sizeof s.regs, "KVM_GET_REGS", index, "regs",
				b, err);
	ret = ret
		  ?: save_fixed(fd, KVM_GET_SREGS, &s, sizeof s.sregs, "KVM_GET_SREGS", index,
				"sregs", b, err);
	if (!ret && caps->xsave_size) {
		struct kvm_xsave *x = calloc(1, caps->xsave_size);
		if (!x)
			return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
					     "out of memory");
		/* api.rst 4.42: KVM_GET_XSAVE2 for areas beyond 4 KiB (AMX), else KVM_GET_XSAVE. */
		unsigned long req =
		    caps->xsave_size > LEGACY_XSAVE_SIZE ? KVM_GET_XSAVE2 : KVM_GET_XSAVE;
		ret = save_fixed(fd, req, x, caps->xsave_size, "KVM_GET_XSAVE", index, "xsave", b,
				 err);
		free(x);
	} else if (!ret) {
		ret = save_fixed(fd, KVM_GET_FPU, &s, sizeof s.fpu, "KVM_GET_FPU", index, "fpu", b,
				 err);
	}
	if (!ret && caps->xcrs)
		ret = save_fixed(fd, KVM_GET_XCRS, &s, sizeof s.xcrs, "KVM_GET_XCRS", index, "xcrs",
				 b, err);
	if (!ret && caps->debugregs)
		ret = save_fixed(fd, KVM_GET_DEBUGREGS, &s, sizeof s.debugregs, "KVM_GET_DEBUGREGS",
				 index, "debugregs", b, err);
	ret = ret ?: save_msrs(caps, fd, index, b, err);
	if (!ret && caps->irqchip)
		ret = save_fixed(fd, KVM_GET_LAPIC, &s, sizeof s.lapic, "KVM_GET_LAPIC", index,
				 "lapic", b, err);
	ret = ret
		  ?: save_fixed(fd, KVM_GET_VCPU_EVENTS, &s, sizeof s.events, "KVM_GET_VCPU_EVENTS",
				index, "events", b, err);
	if (!ret && caps->irqchip)
		ret = save_fixed(fd, KVM_GET_MP_STATE, &s, sizeof s.mp_state, "KVM_GET_MP_STATE",
				 index, "mp_state", b, err);
	return ret;
}

/* A fixed-size section into a KVM_SET_*. */
static int restore_fixed(const struct snapshot_view *view, int fd, unsigned long req, void *buf,
			 size_t size, const char *what, unsigned index, const char *part,
			 struct vmm_error *err)
{
	char name[SNAPSHOT_SECTION_NAME_SIZE];
	section_name(name, index, part);
	int ret = snapshot_section_exact(view, name, buf, size, err);
	if (!ret && ioctl(fd, req, buf) < 0)
		ret = kvm_fail(err, what, index);
	return ret;
}

static int restore_cpuid(const struct snapshot_view *view, int fd, unsigned index,
			 struct vmm_error *err)
{
	char name[SNAPSHOT_SECTION_NAME_SIZE];
	section_name(name, index, "cpuid");
	size_t size;
	const void *data = snapshot_section(view, name, &size);
	if (!data || size == 0 || size % sizeof(struct kvm_cpuid_entry2) ||
	    size / sizeof(struct kvm_cpuid_entry2) > SNAPSHOT_MAX_CPUID)
		return bad(err, name, "is missing or not 1 to 256 CPUID entries");
	struct kvm_cpuid2 *c = calloc(1, sizeof *c + size);
	if (!c)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	c->nent = (uint32_t)(size / sizeof c->entries[0]);
	memcpy(c->entries, data, size);
	int ret = ioctl(fd, KVM_SET_CPUID2, c) < 0 ? kvm_fail(err, "KVM_SET_CPUID2", index) : 0;
	free(c);
	return ret;
}

/* True if the vCPU's MSR e->index reads as e->data, or cannot be read and e->data is 0. */
static bool msr_holds(int fd, const struct kvm_msr_entry *e)
{
	struct kvm_msrs *one = msrs_alloc(1);
	if (!one)
		return false;
	one->entries[0].index = e->index;
	bool holds =
	    ioctl(fd, KVM_GET_MSRS, one) == 1 ? one->entries[0].data == e->data : e->data == 0;
	free(one);
	return holds;
}

static int restore_msrs(const struct snapshot_view *view, int fd, unsigned index,
			struct vmm_error *err)
{
	char name[SNAPSHOT_SECTION_NAME_SIZE];
	section_name(name, index, "msrs");
	size_t size;
	const void *data = snapshot_section(view, name, &size);
	if (!data || size % sizeof(struct kvm_msr_entry) ||
	    size / sizeof(struct kvm_msr_entry) > SNAPSHOT_MAX_MSRS)
		return bad(err, name, "is missing or not 0 to 512 MSR entries");
	uint32_t count = (uint32_t)(size / sizeof(struct kvm_msr_entry));
	struct kvm_msrs *m = msrs_alloc(count);
	if (!m)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	/* KVM_SET_MSRS returns how many it set, stopping at the first it refuses. A refused MSR
	 * that already holds the saved value (a paravirtual MSR this vCPU's CPUID does not
	 * enable, still at its reset value) is skipped; any other refusal refuses the snapshot. */
	int ret = 0;
	uint32_t done = 0;
	while (!ret && done < count) {
		m->nmsrs = count - done;
		memcpy(m->entries, (const uint8_t *)data + done * sizeof m->entries[0],
		       (count - done) * sizeof m->entries[0]);
		int n = ioctl(fd, KVM_SET_MSRS, m);
		if (n < 0) {
			ret = kvm_fail(err, "KVM_SET_MSRS", index);
			break;
		}
		done += (uint32_t)n;
		if (done == count)
			break;
		struct kvm_msr_entry refused = m->entries[n];
		if (!msr_holds(fd, &refused))
			ret = vmm_error_set(
			    err, -EINVAL, VMM_EXIT_GUEST_IMAGE,
			    "bad snapshot: vCPU %u: this KVM refuses MSR 0x%x = 0x%llx "
			    "(written on another host or KVM version?)",
			    index, refused.index, (unsigned long long)refused.data);
		done++;
	}
	free(m);
	return ret;
}

int snapshot_vcpu_restore(const struct snapshot_vcpu_caps *caps, int fd, unsigned index,
			  const struct snapshot_view *view, struct vmm_error *err)
{
	union vcpu_state s;
	int ret = restore_cpuid(view, fd, index, err);
	ret = ret
		  ?: restore_fixed(view, fd, KVM_SET_SREGS, &s, sizeof s.sregs, "KVM_SET_SREGS",
				   index, "sregs", err);
	ret = ret
		  ?: restore_fixed(view, fd, KVM_SET_REGS, &s, sizeof s.regs, "KVM_SET_REGS", index,
				   "regs", err);
	if (!ret && caps->xsave_size) {
		struct kvm_xsave *x = calloc(1, caps->xsave_size);
		if (!x)
			return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
					     "out of memory");
		ret = restore_fixed(view, fd, KVM_SET_XSAVE, x, caps->xsave_size, "KVM_SET_XSAVE",
				    index, "xsave", err);
		free(x);
	} else if (!ret) {
		ret = restore_fixed(view, fd, KVM_SET_FPU, &s, sizeof s.fpu, "KVM_SET_FPU", index,
				    "fpu", err);
	}
	if (!ret && caps->xcrs)
		ret = restore_fixed(view, fd, KVM_SET_XCRS, &s, sizeof s.xcrs, "KVM_SET_XCRS",
				    index, "xcrs", err);
	if (!ret && caps->irqchip)
		ret = restore_fixed(view, fd, KVM_SET_LAPIC, &s, sizeof s.lapic, "KVM_SET_LAPIC",
				    index, "lapic", err);
	ret = ret ?: restore_msrs(view, fd, index, err);
	if (!ret) {
		char name[SNAPSHOT_SECTION_NAME_SIZE];
		section_name(name, index, "events");
		ret = snapshot_section_exact(view, name, &s.events, sizeof s.events, err);
		/* Take the NMI's pending flag and the SIPI vector too (api.rst 4.32); the other
		 * valid bits are as KVM_GET_VCPU_EVENTS set them. */
		s.events.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR;
		if (!ret && ioctl(fd, KVM_SET_VCPU_EVENTS, &s.events) < 0)
			ret = kvm_fail(err, "KVM_SET_VCPU_EVENTS", index);
	}
	if (!ret && caps->debugregs)
		ret = restore_fixed(view, fd, KVM_SET_DEBUGREGS, &s, sizeof s.debugregs,
				    "KVM_SET_DEBUGREGS", index, "debugregs", err);
	if (!ret && caps->irqchip)
		ret = restore_fixed(view, fd, KVM_SET_MP_STATE, &s, sizeof s.mp_state,
				    "KVM_SET_MP_STATE", index, "mp_state", err);
	return ret;
}

static const struct kvm_cpuid_entry2 *find_leaf(const struct kvm_cpuid2 *c, uint32_t function,
						uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == function && c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

void snapshot_vcpu_cpu_identity(const struct kvm_cpuid2 *c, char vendor[12], uint32_t *features)
{
	memset(vendor, 0, 12);
	memset(features, 0, SNAPSHOT_FEAT_WORDS * sizeof *features);
	const struct kvm_cpuid_entry2 *e = find_leaf(c, 0, 0);
	if (e) {
		memcpy(vendor, &e->ebx, 4);
		memcpy(vendor + 4, &e->edx, 4);
		memcpy(vendor + 8, &e->ecx, 4);
	}
	if ((e = find_leaf(c, 1, 0))) {
		features[SNAPSHOT_FEAT_1_ECX] = e->ecx;
		features[SNAPSHOT_FEAT_1_EDX] = e->edx;
	}
	if ((e = find_leaf(c, 7, 0))) {
		features[SNAPSHOT_FEAT_7_EBX] = e->ebx;
		features[SNAPSHOT_FEAT_7_ECX] = e->ecx;
		features[SNAPSHOT_FEAT_7_EDX] = e->edx;
	}
	if ((e = find_leaf(c, 0x80000001, 0))) {
		features[SNAPSHOT_FEAT_80000001_ECX] = e->ecx;
		features[SNAPSHOT_FEAT_80000001_EDX] = e->edx;
	}
}
