/* SPDX-License-Identifier: MIT */
/* The ACPI sleep states S5 and S3 (sleep.h). */
#include "machine/sleep.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "host/quiet_thread.h"
#include "machine/reboot.h"
#include "machine/vm.h"
#include "platform/pc_layout.h"
#include "x86/protected_mode.h"
#include "x86/real_mode.h"

/* FACS fields (ACPI 6.5 table 5.14). */
#define FACS_FIRMWARE_WAKING_VECTOR   12 /* 4 bytes */
#define FACS_VERSION		      32 /* 1 byte; the X vector exists from version 1 */
#define FACS_X_FIRMWARE_WAKING_VECTOR 24 /* 8 bytes */
#define FACS_OSPM_FLAGS		      36 /* 4 bytes, version 2 and up */
#define FACS_OSPM_64BIT_WAKE	      0x1u
#define FACS_READ_LEN		      40
#define PAUSE_TIMEOUT_MS	      10000u
#define REAL_MODE_LIMIT		      0x100000u /* a real-mode CS:IP reaches below 1 MiB */

void vm_sleep_init(struct vm_sleep *s)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	atomic_init(&s->phase, SLEEP_AWAKE);
}

void vm_sleep_kick(struct vm *vm)
{
	struct vm_sleep *s = &vm->sleep;
	pthread_mutex_lock(&s->lock);
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

void vm_sleep_destroy(struct vm *vm)
{
	struct vm_sleep *s = &vm->sleep;
	if (s->thread_started) {
		pthread_mutex_lock(&s->lock);
		s->exiting = true;
		pthread_cond_broadcast(&s->changed);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
		s->thread_started = false;
	}
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
}

/* The stop is the whole of it: whoever watches the run (the control socket) sees its reason. */
void vm_power_off(struct vm *vm)
{
	stop_request_raise(&vm->stop, STOP_POWER_OFF, 0);
}

static const char *wake_source_name(enum wake_source source)
{
	return source == WAKE_RTC_ALARM ? "RTC alarm" : "console input";
}

/* With s->lock held. */
static void wake_locked(struct vm_sleep *s, enum wake_source source)
{
	if (atomic_load(&s->phase) == SLEEP_AWAKE || s->wake_pending)
		return;
	if (source == WAKE_RTC_ALARM && !s->request.rtc_alarm_wakes)
		return;
	s->wake_pending = true;
	s->wake_source = source;
	pthread_cond_broadcast(&s->changed);
}

void vm_wake_input(struct vm *vm, enum wake_source source, bool active)
{
	struct vm_sleep *s = &vm->sleep;
	if (source == WAKE_RTC_ALARM)
		atomic_store(&s->rtc_alarm_active, active);
	/* The common case, on the console thread for every input: no lock. */
	if (!active || atomic_load(&s->phase) == SLEEP_AWAKE)
		return;
	pthread_mutex_lock(&s->lock);
	wake_locked(s, source);
	pthread_mutex_unlock(&s->lock);
}

static bool sleep_ends(struct vm *vm)
{
	return vm->sleep.exiting || stop_requested(&vm->stop);
}

/* Holds every vCPU for the sleep, as a holder of its own (pause.h): neither the control
 * socket's resume nor gdb's continue can wake the guest, only a wake event. A timeout (a loaded
 * host) is waited again. 0, or the stop came first (then the hold is dropped). */
static int pause_all(struct vm *vm)
{
	vm_pause_hold(vm, VM_PAUSE_SLEEP, NULL, NULL);
	for (;;) {
		int ret = vm_pause_wait_parked(vm, PAUSE_TIMEOUT_MS);
		if (ret == -ETIMEDOUT && !sleep_ends(vm))
			continue;
		if (ret)
			vm_pause_release(vm, VM_PAUSE_SLEEP, 0);
		return ret == -ETIMEDOUT ? -ESHUTDOWN : ret;
	}
}

/* Where the waking OS wants its boot processor. false with why (no FACS, no usable vector). */
struct waking_entry {
	bool protected_mode; /* the X vector: 32-bit protected mode, flat, paging off */
	uint32_t address;
};

static bool find_waking_vector(const struct vm *vm, struct waking_entry *entry, char *why,
			       size_t why_len)
{
	const uint8_t *facs = guest_mem_gpa_to_hva(&vm->mem, PC_ACPI_FACS_GPA, FACS_READ_LEN);
	if (!facs || memcmp(facs, "FACS", 4) != 0) {
		snprintf(why, why_len, "no FACS at 0x%llx", (unsigned long long)PC_ACPI_FACS_GPA);
		return false;
	}
	uint32_t vector, ospm_flags = 0;
	uint64_t x_vector = 0;
	memcpy(&vector, facs + FACS_FIRMWARE_WAKING_VECTOR, 4);
	if (facs[FACS_VERSION] >= 1)
		memcpy(&x_vector, facs + FACS_X_FIRMWARE_WAKING_VECTOR, 8);
	if (facs[FACS_VERSION] >= 2)
		memcpy(&ospm_flags, facs + FACS_OSPM_FLAGS, 4);
	if (x_vector) {
		if ((ospm_flags & FACS_OSPM_64BIT_WAKE) || x_vector > UINT32_MAX) {
			snprintf(
			    why, why_len,
			    "the X_Firmware_Waking_Vector 0x%llx asks for a 64-bit wake, which "
			    "the FACS does not offer",
			    (unsigned long long)x_vector);
			return false;
		}
		*entry =
		    (struct waking_entry){.protected_mode = true, .address = (uint32_t)x_vector};
		return true;
	}
	if (!vector || vector >= REAL_MODE_LIMIT) {
		snprintf(why, why_len, "the FACS's Firmware_Waking_Vector is 0x%x%s", vector,
			 vector ? ", out of real mode's reach" : " (none set)");
		return false;
	}
	*entry = (struct waking_entry){.address = vector};
	return true;
}

static int set_mp_state(struct vcpu *vcpu, uint32_t state)
{
	struct kvm_mp_state mp = {.mp_state = state};
	return ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0 ? -errno : 0;
}

/* The boot processor at the waking vector, every AP waiting for SIPI (the vCPUs are parked). */
static int enter_waking_vector(struct vm *vm, const struct waking_entry *entry)
{
	struct vcpu *bsp = &vm->vcpus[0];
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (ioctl(bsp->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	if (entry->protected_mode) {
		x86_protected_mode_sregs(&sregs);
		x86_real_mode_regs(&regs, 0); /* the same register state, then EIP */
		regs.rip = entry->address;
	} else {
		x86_real_mode_sregs(&sregs, (uint16_t)(entry->address >> 4));
		x86_real_mode_regs(&regs, (uint16_t)(entry->address & 0xf));
	}
	int ret = vcpu_clear_pending_events(bsp);
	if (!ret && ioctl(bsp->fd, KVM_SET_SREGS, &sregs) < 0)
		ret = -errno;
	if (!ret && ioctl(bsp->fd, KVM_SET_REGS, &regs) < 0)
		ret = -errno;
	/* With KVM's LAPIC the MP state is KVM's: the BSP runs, the APs wait for the OS's
	 * INIT-SIPI-SIPI as at power-on (api.rst 4.38); without it they stay parked where they
	 * were (nothing could start them). */
	if (!ret && vm->irqchip)
		ret = set_mp_state(bsp, KVM_MP_STATE_RUNNABLE);
	for (unsigned i = 1; !ret && vm->irqchip && i < vm->vcpu_count; i++) {
		ret = vcpu_clear_pending_events(&vm->vcpus[i]);
		ret = ret ?: set_mp_state(&vm->vcpus[i], KVM_MP_STATE_UNINITIALIZED);
	}
	return ret;
}

/* After a wake event, on the sleep thread, with every vCPU parked. */
static void wake_up(struct vm *vm, const struct sleep_request *request, enum wake_source source)
{
	struct waking_entry entry;
	char why[160];
	if (!find_waking_vector(vm, &entry, why, sizeof why)) {
		fprintf(stderr,
			"minivmm: S3 wake (%s): %s: nothing to resume, so the platform resets as "
			"firmware does\n",
			wake_source_name(source), why);
		vm_request_reset(vm, "S3 wake without a waking vector");
		vm_pause_release(vm, VM_PAUSE_SLEEP, 0);
		if (vm->vcpu_count) /* to the run loop's reboot point, even from a HLT */
			vcpu_kick(&vm->vcpus[0]);
		return;
	}
	int ret = enter_waking_vector(vm, &entry);
	if (ret) {
		if (stop_request_raise(&vm->stop, STOP_VMM_ERROR, VMM_EXIT_KVM_UNAVAILABLE))
			vcpu_report_fault(&vm->vcpus[0], "S3 resume failed",
					  "cannot set the vCPUs' state: %s", strerror(-ret));
		return;
	}
	if (request->woke)
		request->woke(request->dev, source);
	fprintf(stderr, "minivmm: guest woke from S3 (%s): resuming at %s 0x%x\n",
		wake_source_name(source),
		entry.protected_mode ? "X_Firmware_Waking_Vector" : "Firmware_Waking_Vector",
		entry.address);
	vm_pause_release(vm, VM_PAUSE_SLEEP, 0);
}

/* One S3: pause, wait for a wake event, wake. With s->lock held; returns with it held. */
static void sleep_once(struct vm *vm)
{
	struct vm_sleep *s = &vm->sleep;
	pthread_mutex_unlock(&s->lock);
	int ret = pause_all(vm);
	pthread_mutex_lock(&s->lock);
	if (ret)
		return; /* the run stops */
	atomic_store(&s->phase, SLEEP_ASLEEP);
	s->suspends++;
	fprintf(stderr,
		"minivmm: guest suspended to RAM (ACPI S3): a key on the console%s wakes it\n",
		s->request.rtc_alarm_wakes ? " or its RTC alarm" : "");
	while (!s->wake_pending && !sleep_ends(vm))
		pthread_cond_wait(&s->changed, &s->lock); /* no timeout: no CPU while asleep */
	if (sleep_ends(vm))
		return;
	struct sleep_request request = s->request;
	enum wake_source source = s->wake_source;
	pthread_mutex_unlock(&s->lock);
	wake_up(vm, &request, source);
	pthread_mutex_lock(&s->lock);
}

static void *sleep_main(void *arg)
{
	struct vm *vm = arg;
	struct vm_sleep *s = &vm->sleep;
	pthread_mutex_lock(&s->lock);
	while (!sleep_ends(vm)) {
		if (atomic_load(&s->phase) != SLEEP_ENTERING) {
			pthread_cond_wait(&s->changed, &s->lock);
			continue;
		}
		sleep_once(vm);
		s->wake_pending = false;
		atomic_store(&s->phase, SLEEP_AWAKE);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

void vm_suspend(struct vm *vm, const struct sleep_request *request)
{
	struct vm_sleep *s = &vm->sleep;
	int failed = 0;
	pthread_mutex_lock(&s->lock);
	if (atomic_load(&s->phase) == SLEEP_AWAKE && !stop_requested(&vm->stop)) {
		if (!s->thread_started && !s->thread_failed) {
			failed = quiet_thread_create(&s->thread, NULL, sleep_main, vm);
			s->thread_started = failed == 0;
			s->thread_failed = failed != 0;
		}
		if (s->thread_started) {
			s->request = *request;
			s->wake_pending = false;
			atomic_store(&s->phase, SLEEP_ENTERING);
			pthread_cond_broadcast(&s->changed);
			if (atomic_load(&s->rtc_alarm_active)) /* a wake input already active */
				wake_locked(s, WAKE_RTC_ALARM);
		}
	}
	pthread_mutex_unlock(&s->lock);
	/* After the unlock: the stop's kick takes the lock (vm_sleep_kick). */
	if (failed && stop_request_raise(&vm->stop, STOP_VMM_ERROR, VMM_EXIT_HOST_RESOURCES))
		fprintf(stderr, "minivmm: cannot start the S3 sleep thread: %s\n",
			strerror(failed));
}
