/* SPDX-License-Identifier: MIT */
/* The guest's CPUID (x86/cpuid.c): every vCPU gets the CPU model built on KVM's supported leaves
 * (the model itself is tested on recorded tables in test_cpu_model.c), with its own APIC ID,
 * whether the helper of x86_cpuid_prefetch() answered, was overtaken, or never ran. Needs
 * /dev/kvm: without it the suite reports SKIP (exit 77, ctest's SKIP_RETURN_CODE). Check forks
 * per test (CK_FORK=yes), so each starts with no answer kept. */
#include <dirent.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "machine/kvm.h"
#include "test_check_main.h"
#include "x86/cpuid.h"

#define MAX_ENTRIES 256

/* Room for MAX_ENTRIES after the header: a union, because a structure whose flexible array is
 * followed by more members is a GNU extension (clang warns), while a union holding one is C. */
union cpuid_buf {
	struct kvm_cpuid2 head;
	unsigned char
	    room[sizeof(struct kvm_cpuid2) + MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2)];
};

static bool open_kvm(struct kvm *kvm)
{
	struct vmm_error err = {0};
	if (kvm_open(kvm, KVM_DEFAULT_DEVICE, &err) == 0)
		return true;
	fprintf(stderr, "test_cpuid: no usable /dev/kvm: %s\n", err.msg);
	return false;
}

/* What KVM supports, asked directly. */
static void supported_cpuid(const struct kvm *kvm, union cpuid_buf *out)
{
	memset(out, 0, sizeof *out);
	out->head.nent = MAX_ENTRIES;
	ck_assert_int_eq(ioctl(kvm->fd, KVM_GET_SUPPORTED_CPUID, out), 0);
}

/* A vCPU of a new VM given its CPUID by x86_setup_cpuid(), and what KVM_GET_CPUID2 reads back. */
static void setup_and_read(const struct kvm *kvm, unsigned apic_id, union cpuid_buf *out)
{
	int vm = ioctl(kvm->fd, KVM_CREATE_VM, 0);
	ck_assert_int_ge(vm, 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, apic_id);
	ck_assert_int_ge(vcpu, 0);
	struct vmm_error err = {0};
	struct x86_cpu_config cpu = {.model = CPU_MODEL_HOST, .vcpu_count = 3};
	ck_assert_msg(x86_setup_cpuid(kvm, vcpu, &cpu, apic_id, &err) == 0, "%s", err.msg);
	memset(out, 0, sizeof *out);
	out->head.nent = MAX_ENTRIES;
	ck_assert_int_eq(ioctl(vcpu, KVM_GET_CPUID2, out), 0);
	close(vcpu);
	close(vm);
}

/* got has every leaf of want (KVM's set), and the model's marks of this vCPU: apic_id in leaf 1
 * EBX[31:24] and in EDX of leaves 0xB and 0x1F, 4 addressable IDs for 3 vCPUs, a brand. KVM
 * adjusts a few other bits at run time (OSXSAVE, the APIC flag, XSAVE sizes), so besides these
 * only leaf 0 is compared. */
static void check_leaves(const union cpuid_buf *want, const union cpuid_buf *got, unsigned apic_id)
{
	ck_assert_uint_ge(got->head.nent, want->head.nent);
	for (unsigned i = 0; i < want->head.nent; i++) {
		const struct kvm_cpuid_entry2 *w = &want->head.entries[i];
		const struct kvm_cpuid_entry2 *g =
		    cpu_model_find(&got->head, w->function, w->index);
		ck_assert_msg(g, "leaf %#x.%u missing", w->function, w->index);
		if (w->function == 0)
			ck_assert(g->eax == w->eax && g->ebx == w->ebx && g->ecx == w->ecx &&
				  g->edx == w->edx);
		else if (w->function == 1)
			ck_assert_uint_eq(g->ebx,
					  (w->ebx & 0x0000ffffu) | apic_id << 24 | 4u << 16);
		else if (w->function == 0xb || w->function == 0x1f)
			ck_assert_uint_eq(g->edx, apic_id);
	}
	const struct kvm_cpuid_entry2 *brand = cpu_model_find(&got->head, 0x80000002, 0);
	ck_assert_msg(brand && brand->eax, "no brand string");
}

START_TEST(test_without_prefetch)
{
	struct kvm kvm;
	ck_assert(open_kvm(&kvm));
	union cpuid_buf want, got;
	supported_cpuid(&kvm, &want);
	setup_and_read(&kvm, 0, &got);
	check_leaves(&want, &got, 0);
	kvm_close(&kvm);
}
END_TEST

START_TEST(test_prefetch_then_setup_at_once)
{
	/* The vCPU asks before the helper is likely to have started: it waits or takes over. */
	struct kvm kvm;
	ck_assert(open_kvm(&kvm));
	union cpuid_buf want, got;
	supported_cpuid(&kvm, &want);
	x86_cpuid_prefetch(&kvm);
	setup_and_read(&kvm, 2, &got);
	check_leaves(&want, &got, 2);
	kvm_close(&kvm);
}
END_TEST

START_TEST(test_prefetch_answers_after_fd_closed)
{
	/* The helper has its own fd: closing the caller's at once (as the sandbox does) changes
	 * nothing, and a later vCPU uses the answer (or asks through the new fd). */
	struct kvm first, second;
	ck_assert(open_kvm(&first));
	x86_cpuid_prefetch(&first);
	x86_cpuid_prefetch(&first); /* a second call while one is pending does nothing */
	kvm_close(&first);
	nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	ck_assert(open_kvm(&second));
	union cpuid_buf want, got;
	supported_cpuid(&second, &want);
	for (unsigned id = 0; id < 3; id++) {
		setup_and_read(&second, id, &got);
		check_leaves(&want, &got, id);
	}
	kvm_close(&second);
}
END_TEST

/* Entries of /proc/self/DIR; with match, only the descriptors whose target is match. */
static unsigned count_proc_self(const char *dir, const char *match)
{
	char path[64], link[384], target[256];
	snprintf(path, sizeof path, "/proc/self/%s", dir);
	DIR *d = opendir(path);
	ck_assert_ptr_nonnull(d);
	unsigned n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		if (match) {
			snprintf(link, sizeof link, "%s/%s", path, e->d_name);
			ssize_t len = readlink(link, target, sizeof target - 1);
			if (len < 0)
				continue;
			target[len] = '\0';
			if (strcmp(target, match) != 0)
				continue;
		}
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_prefetch_end_leaves_no_thread_or_descriptor)
{
	/* Issue 13: the detached helper could outlive an early refusal and held its duplicate of
	 * /dev/kvm after the sandbox closed the VM's. Once x86_cpuid_prefetch_end() returns, only
	 * this (forked, single-threaded) test's thread is left, and no /dev/kvm descriptor once
	 * ours is closed; a vCPU set up afterwards asks KVM itself. */
	struct kvm kvm;
	ck_assert(open_kvm(&kvm));
	x86_cpuid_prefetch(&kvm);
	x86_cpuid_prefetch_end();
	x86_cpuid_prefetch_end(); /* twice is harmless */
	ck_assert_uint_eq(count_proc_self("task", NULL), 1);
	ck_assert_uint_eq(count_proc_self("fd", KVM_DEFAULT_DEVICE), 1);
	union cpuid_buf want, got;
	supported_cpuid(&kvm, &want);
	setup_and_read(&kvm, 1, &got);
	check_leaves(&want, &got, 1);
	kvm_close(&kvm);
	ck_assert_uint_eq(count_proc_self("fd", KVM_DEFAULT_DEVICE), 0);
}
END_TEST

static Suite *cpuid_suite(void)
{
	Suite *s = suite_create("cpuid");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_without_prefetch);
	tcase_add_test(tc, test_prefetch_then_setup_at_once);
	tcase_add_test(tc, test_prefetch_answers_after_fd_closed);
	tcase_add_test(tc, test_prefetch_end_leaves_no_thread_or_descriptor);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN_NEEDS_KVM(cpuid_suite)
