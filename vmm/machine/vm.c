/* SPDX-License-Identifier: MIT */
#include "machine/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "devices/devices.h"
#include "host/fd_reaper.h"
#include "machine/irqchip.h"
#include "machine/write_batch.h"
#include "minivmm/boot_abi.h"
#include "platform/firmware.h"
#include "platform/pc_layout.h"
#include "util/monotonic_clock.h"
#include "x86/cpuid.h"
#include "x86/long_mode.h"

_Static_assert(VM_MAX_VCPUS <= PC_FIRMWARE_MAX_CPUS, "the firmware tables describe every vCPU");

/* The machine's end of a device's interrupt and reset lines (devices/device_host.h). */
static int vm_host_set_irq(void *ctx, unsigned irq, bool level)
{
	return vm_set_irq_line(ctx, irq, level);
}

static void vm_host_request_reset(void *ctx, const char *source)
{
	vm_request_reset(ctx, source);
}

static void vm_host_power_off(void *ctx)
{
	vm_power_off(ctx);
}

static void vm_host_suspend(void *ctx, const struct sleep_request *request)
{
	vm_suspend(ctx, request);
}

static void vm_host_wake(void *ctx, enum wake_source source, bool active)
{
	vm_wake_input(ctx, source, active);
}

void vm_device_host(struct vm *vm, struct device_host *host)
{
	*host = (struct device_host){
	    .pio_bus = &vm->pio_bus,
	    .mmio_bus = &vm->mmio_bus,
	    .devices = &vm->devices,
	    .mem = &vm->mem,
	    .console = &vm->console,
	    .stop = &vm->stop,
	    .reset = {.request = vm_host_request_reset, .ctx = vm},
	    .power = {.off = vm_host_power_off, .suspend = vm_host_suspend, .ctx = vm},
	    .wake = {.set = vm_host_wake, .ctx = vm},
	    /* Without an irqchip no line goes anywhere: devices see it and stay polled. */
	    .set_irq = vm->irqchip ? vm_host_set_irq : NULL,
	    .irq_ctx = vm,
	    .vm_fd = vm->fd,
	    .kvm = &vm->kvm,
	    .batch_writes = vm_batch_writes,
	    .batch_ctx = vm,
	};
}

int vm_attach_device(struct vm *vm, const struct device_module *module, struct vmm_error *err)
{
	struct device_host host;
	vm_device_host(vm, &host);
	return module->attach(&host, err);
}

static void vm_kick_all(void *ctx)
{
	struct vm *vm = ctx;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_kick(&vm->vcpus[i]);
	vm_pause_wake(vm); /* a paused vCPU waits on a condition, not in KVM_RUN */
	/* The stop request calls this once, for the request that wins. */
	if (vm->on_event)
		vm->on_event(vm->on_event_ctx, VM_EVENT_STOP);
	vm_sleep_kick(vm); /* and the S3 sleep thread for a wake event */
}

static int vm_setup_memory(struct vm *vm, struct vmm_error *err)
{
	const struct vm_ram_file *file = vm->cfg.ram_file;
	int ret = file ? guest_mem_map_file(&vm->mem, vm->cfg.ram_size, file->fd, file->offset, err)
		       : guest_mem_init(&vm->mem, vm->cfg.ram_size, err);
	if (ret)
		return ret;
	struct kvm_userspace_memory_region region = {
	    .slot = 0,
	    .guest_phys_addr = 0,
	    .memory_size = vm->mem.size,
	    .userspace_addr = (uint64_t)(uintptr_t)vm->mem.host,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				     "KVM_SET_USER_MEMORY_REGION failed: %s", strerror(errno));
	return 0;
}

/* The direct boot's struct minivmm_boot_info; a multiboot kernel gets its own information (and
 * may have loaded where this one would go). */
static int vm_write_boot_info(struct vm *vm, struct vmm_error *err)
{
	if (vm->boot_protocol.multiboot)
		return 0;
	struct minivmm_boot_info *info =
	    guest_mem_gpa_to_hva(&vm->mem, MINIVMM_BOOT_INFO_GPA, sizeof *info);
	if (!info)
		return vmm_error_set(err, -EFAULT, VMM_EXIT_INTERNAL, "no room for boot info");
	const char *cmdline = vm->cfg.cmdline ? vm->cfg.cmdline : "";
	size_t len = strlen(cmdline);
	if (len >= MINIVMM_CMDLINE_MAX)
		return vmm_error_set(err, -E2BIG, VMM_EXIT_USAGE,
				     "--cmdline is %zu bytes long: at most %d are allowed", len,
				     MINIVMM_CMDLINE_MAX - 1);
	memset(info, 0, sizeof *info);
	info->magic = MINIVMM_BOOT_MAGIC;
	info->abi_version = MINIVMM_BOOT_ABI_VERSION;
	info->ram_size = vm->mem.size;
	info->pml4_gpa = MINIVMM_PML4_GPA;
	info->reserved_end = MINIVMM_RESERVED_END;
	info->cpu_count = vm->vcpu_count;
	info->cmdline_len = (uint32_t)len;
	memcpy(info->cmdline, cmdline, len + 1);
	snprintf(info->vmm_version, sizeof info->vmm_version, "minivmm %s", MINIVMM_VERSION);
	info->platform_flags = vm->irqchip ? MINIVMM_PLATFORM_IRQCHIP : 0;
	if (vm->irqchip && vm->cfg.sipi_smp)
		info->platform_flags |= MINIVMM_PLATFORM_SIPI_SMP;
	return 0;
}

/* fresh: RAM is as mmap gave it, all zero (not so on a reboot). Then the direct boot's page
 * tables and GDT below MINIVMM_RESERVED_END (not for multiboot: a kernel may load there), and for
 * every protocol the PC firmware tables (platform/firmware.h). */
static int vm_load_guest(struct vm *vm, bool fresh, struct vmm_error *err)
{
	const struct load_constraints limits = {.reserved_end = MINIVMM_RESERVED_END,
						.ram_is_zero = fresh};
	int ret;
	if (vm->cfg.format == GUEST_FORMAT_FLAT)
		ret = flat_load_image(&vm->mem, &limits, vm->cfg.image, vm->cfg.image_size,
				      vm->cfg.load_addr, &vm->loaded, err);
	else
		ret = boot_protocol_load(vm, &limits, err); /* direct 64-bit or multiboot */
	if (!ret && !vm->boot_protocol.multiboot)
		ret = x86_build_boot_structures(&vm->mem, err);
	return ret
		   ?: pc_firmware_write(&vm->mem, vm->cfg.cpus ? vm->cfg.cpus : 1, vm->irqchip,
					vm->loaded.load_begin, vm->loaded.load_end, err);
}

static int vm_setup_trace(struct vm *vm, struct vmm_error *err)
{
	int fds[VM_MAX_VCPUS];
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		fds[i] = vm->vcpus[i].fd;
	int ret = trace_session_create(&vm->trace, &vm->cfg.trace, fds, vm->vcpu_count, err);
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++)
		vm->vcpus[i].trace = trace_session_vcpu(vm->trace, i);
	return ret;
}

void vm_init_without_kvm(struct vm *vm)
{
	memset(vm, 0, sizeof *vm);
	vm->fd = -1;
	vm->kvm.fd = -1;
	bus_init(&vm->pio_bus, "io");
	bus_init(&vm->mmio_bus, "mmio");
	stop_request_init(&vm->stop);
	vm->stop.kick = vm_kick_all;
	vm->stop.kick_ctx = vm;
	console_init(&vm->console, -1, -1);
	reboot_state_init(&vm->reboot);
	vm_pause_init(&vm->pause);
	vm_sleep_init(&vm->sleep);
	pthread_mutex_init(&vm->batch_lock, NULL);
}

int vm_create(struct vm *vm, const struct vm_config *cfg, struct vmm_error *err)
{
	vm_init_without_kvm(vm);
	vm->cfg = *cfg;
	console_init(&vm->console, cfg->console_in_fd, cfg->console_out_fd);

	int ret = kvm_open(&vm->kvm, cfg->kvm_device, err);
	if (ret)
		return ret;
	vm->fd = ioctl(vm->kvm.fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_KVM_UNAVAILABLE,
				     "KVM_CREATE_VM failed: %s", strerror(errno));
	ret = vm_setup_memory(vm, err);
	/* The first vCPU needs the supported CPUID, ~0.3 ms of host CPUID exits when nested; the
	 * irqchip, image and devices do not: ask for it beside them (x86/cpuid.c), unless `run`
	 * and `restore` started asking earlier, beside their file reads (x86_cpuid_prefetch_early:
	 * beside the helper, the memory slot and the irqchip's SRCU waits took longer here). */
	if (!ret)
		x86_cpuid_prefetch(&vm->kvm);
	unsigned cpus = cfg->cpus ? cfg->cpus : 1;
	if (!ret && cpus > VM_MAX_VCPUS) /* before the firmware tables describe them */
		ret = vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE, "at most %d vCPUs", VM_MAX_VCPUS);
	ret = ret ?: irqchip_create(vm, err); /* before the vCPUs (api.rst 4.24) */
	bool boot = !cfg->ram_file; /* a restore takes RAM and every state from its snapshot */
	if (boot)
		ret = ret ?: vm_load_guest(vm, true, err);
	if (!ret) { /* after the irqchip: a device's handle has lines only if it exists */
		struct device_host host;
		vm_device_host(vm, &host);
		ret = devices_attach_all(&host, err);
	}
	for (unsigned i = 0; !ret && i < cpus; i++) {
		ret = vcpu_create(&vm->vcpus[i], vm, i, err);
		if (vm->vcpus[i].run) /* created, even if CPUID setup failed: destroy it later */
			vm->vcpu_count++;
		if (boot)
			ret = ret ?: boot_protocol_enter(vm, &vm->vcpus[i], err);
	}
	if (boot) {
		ret = ret ?: irqchip_complete_apic_map(vm, err);
		ret = ret ?: reboot_prepare(vm, err); /* --reboot only */
		ret = ret ?: vm_write_boot_info(vm, err);
	}
	if (!ret && trace_options_any(&cfg->trace))
		ret = vm_setup_trace(vm, err);
	return ret;
}

int vm_reload_guest(struct vm *vm, struct vmm_error *err)
{
	int ret = vm_load_guest(vm, false, err);
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++)
		ret = boot_protocol_enter(vm, &vm->vcpus[i], err);
	return ret ?: vm_write_boot_info(vm, err);
}

static pthread_t vm_main_thread;

static void vm_vcpu_finished(struct vcpu *vcpu)
{
	(void)vcpu;
	pthread_kill(vm_main_thread, SIGUSR2); /* wakes vm_wait() */
}

static void console_quit(void *ctx)
{
	struct vm *vm = ctx;
	stop_request_raise(&vm->stop, STOP_USER_QUIT, VMM_EXIT_USER_QUIT);
}

static bool all_vcpus_finished(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpus[i].thread_started && !atomic_load(&vm->vcpus[i].finished))
			return false;
	return true;
}

/* The main thread's part: wait for the vCPUs, a signal or the timeout, whichever comes first;
 * meanwhile, when a device's writes are batched, hand them on at the pace write_batch.h sets. */
static void vm_wait(struct vm *vm, const sigset_t *waited)
{
	const double start = (double)monotonic_ns() / 1e9;
	double deadline = vm->cfg.timeout_seconds > 0 ? start + vm->cfg.timeout_seconds : INFINITY;
	const bool drain = vm->batching; /* a device's range is batched */
	struct write_batch_pace pace;
	write_batch_pace_start(&pace, vm, start);
	while (!all_vcpus_finished(vm)) {
		const double now = (double)monotonic_ns() / 1e9;
		double left = deadline - now;
		if (left <= 0) {
			stop_request_raise(&vm->stop, STOP_TIMEOUT, VMM_EXIT_TIMEOUT);
			deadline = INFINITY;
			continue;
		}
		if (drain) /* the pace after the last drain, which the loop's previous turn made */
			left = fmin(left, write_batch_pace_next(&pace, vm, now));
		struct timespec wait = {.tv_sec = 3600};
		if (isfinite(left)) {
			wait.tv_sec = (time_t)left;
			wait.tv_nsec = (long)((left - (double)wait.tv_sec) * 1e9);
		}
		int sig = sigtimedwait(waited, NULL, &wait);
		if (sig == SIGINT || sig == SIGTERM)
			stop_request_raise(&vm->stop, STOP_SIGNAL, VMM_EXIT_SIGNAL_BASE + sig);
		if (drain)
			vm_drain_batched_writes(vm);
	}
}

int vm_run(struct vm *vm, struct vmm_error *err)
{
	/* Signals: SIGINT/SIGTERM/SIGUSR2 are taken only by vm_wait() on this thread; vCPU
	 * threads inherit the mask and unblock just their kick signal. */
	sigset_t waited, saved;
	sigemptyset(&waited);
	sigaddset(&waited, SIGINT);
	sigaddset(&waited, SIGTERM);
	sigaddset(&waited, SIGUSR2);
	sigaddset(&waited, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &waited, &saved);
	sigdelset(&waited, SIGUSR1);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout is reported, not fatal */
	vm_main_thread = pthread_self();

	int ret = vcpu_install_kick_handler();
	if (ret) {
		ret = vmm_error_set(err, ret, VMM_EXIT_HOST_RESOURCES, "sigaction failed");
		goto out;
	}
	ret = console_start(&vm->console, console_quit, vm);
	if (ret) {
		ret = vmm_error_set(err, ret, VMM_EXIT_HOST_RESOURCES,
				    "cannot start the console: %s", strerror(-ret));
		goto out;
	}
	if (vm->trace && (ret = trace_session_start(vm->trace, err)))
		goto out;
	if (vm->cfg.confine && (ret = vm->cfg.confine(vm, err)))
		stop_request_raise(&vm->stop, STOP_VMM_ERROR, err->status);
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++) {
		ret = vcpu_start(&vm->vcpus[i], vm_vcpu_finished);
		if (ret) {
			stop_request_raise(&vm->stop, STOP_VMM_ERROR, VMM_EXIT_HOST_RESOURCES);
			vmm_error_set(err, ret, VMM_EXIT_HOST_RESOURCES,
				      "cannot start a vCPU thread: %s", strerror(-ret));
			break;
		}
	}
	vm_wait(vm, &waited);
	vm_drain_batched_writes(vm); /* the vCPUs are done: what they left in the ring is output */
	console_stop(&vm->console);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_join(&vm->vcpus[i]);
	/* A vCPU's "finished" signal may still be pending (it was sent after vm_wait saw the flag):
	 * consume it before the old mask returns, or its default action would kill the process. */
	sigset_t finished_signal;
	sigemptyset(&finished_signal);
	sigaddset(&finished_signal, SIGUSR2);
	while (sigtimedwait(&finished_signal, NULL, &(struct timespec){0}) > 0)
		;
	/* The run is over whatever the trace outputs do: a failed write is reported beside the
	 * guest's status rather than instead of it. */
	if (vm->trace && trace_session_finish(vm->trace, &vm->trace_error))
		vm->trace_failed = true;
out:
	console_stop(&vm->console);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return ret;
}

void vm_destroy(struct vm *vm)
{
	vm_sleep_destroy(vm); /* its thread uses the vCPUs */
	trace_session_destroy(vm->trace);
	vm->trace = NULL;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		vcpu_destroy(&vm->vcpus[i]);
	vm->vcpu_count = 0;
	device_table_destroy_all(&vm->devices);
	guest_mem_destroy(&vm->mem);
	if (vm->fd >= 0 && vm->cfg.vm_fd_reaper)
		fd_reaper_close(vm->cfg.vm_fd_reaper, vm->fd);
	else if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	kvm_close(&vm->kvm);
	reboot_state_destroy(&vm->reboot);
	vm_pause_destroy(&vm->pause);
	pthread_mutex_destroy(&vm->batch_lock);
}
