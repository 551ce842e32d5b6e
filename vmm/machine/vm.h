/*
 * One virtual machine: guest RAM, the two buses, the devices, the vCPUs, the console and the
 * stop request, put together and taken apart in one place.
 */
#ifndef MINIVMM_VM_H
#define MINIVMM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/boot_protocol.h"
#include "machine/bus.h"
#include "host/console.h"
#include "machine/guest_mem.h"
#include "machine/kvm.h"
#include "loader/loader.h"
#include "loader/multiboot.h"
#include "machine/pause.h"
#include "machine/reboot.h"
#include "machine/stop.h"
#include "trace/trace_session.h"
#include "machine/vcpu.h"
#include "util/vmm_error.h"
#include "x86/cpu_model.h"

#define VM_MAX_VCPUS   8
#define VM_MAX_DEVICES 16

enum guest_format { GUEST_FORMAT_ELF, GUEST_FORMAT_FLAT };

/* What the VM tells an observer (the control socket) that no one waits for. */
enum vm_event { VM_EVENT_REBOOT };

struct vm_config {
	const char *kvm_device; /* default KVM_DEFAULT_DEVICE */
	uint64_t ram_size;
	const char *cmdline;	/* NULL: empty */
	bool strict_io;		/* unclaimed I/O stops the guest */
	double timeout_seconds; /* 0: none */
	const void *image;	/* the guest image in host memory */
	size_t image_size;
	const char *image_name; /* for messages */
	enum guest_format format;
	uint64_t load_addr;	    /* GUEST_FORMAT_FLAT */
	int console_in_fd;	    /* -1: no input */
	struct trace_options trace; /* what to record and show about exits */
	int console_out_fd;
	/* Called by vm_run() before the vCPU threads exist (sandbox_confine_vm for `minivmm
	 * run`); NULL: unconfined (bench and compare build many VMs in one process). */
	int (*confine)(struct vm *vm, struct vmm_error *err);
	bool no_irqchip; /* --no-irqchip: no PIC/IOAPIC/LAPIC/PIT, a polled machine (irqchip.h) */
	bool reboot;	 /* --reboot: a guest reset boots the image again (reboot.h) */
	/* --cpus: vCPUs (0 means 1). vCPU 0 is the BSP; the VMM starts the others itself in long
	 * mode at the guest's entry with RSI = MINIVMM_AP_MAGIC, RDX = their number (smp.c). */
	unsigned cpus;
	/* --sipi-smp: leave the APs in KVM's wait-for-SIPI state; the guest starts them. */
	bool sipi_smp;
	enum cpu_model_kind cpu_model; /* --cpu-model: the CPU the guest sees */
	/* Boot protocol (boot_protocol.h): direct 64-bit or Multiboot v1, and its modules. */
	enum boot_protocol boot;
	const struct multiboot_module_spec *modules;
	size_t module_count;
};

/* A device's state, how to free it and how to reset it. */
struct vm_device {
	const char *name;
	void *state;
	void (*destroy)(void *state);
	/* A guest reset (reboot.c): back to the state the device had when it was attached, but for
	 * what the real chip keeps over a platform reset (the CMOS clock's battery-backed RAM).
	 * Lowers the device's interrupt line and stops its DMA; called on the vCPU thread while no
	 * vCPU runs guest code, but the device's own threads (console input, virtio worker) may
	 * run: take the device's lock. NULL: nothing a guest can change survives in the device. */
	void (*reset)(void *state);
};

struct vm {
	struct vm_config cfg;
	struct kvm kvm;
	int fd;
	struct guest_mem mem;
	struct load_result loaded;
	struct bus pio_bus;
	struct bus mmio_bus;
	struct stop_request stop;
	struct console console;
	struct vm_device devices[VM_MAX_DEVICES];
	unsigned device_count;
	struct vcpu vcpus[VM_MAX_VCPUS];
	unsigned vcpu_count;
	struct trace_session *trace;  /* NULL when nothing is traced */
	struct vmm_error trace_error; /* a trace output that could not be written */
	bool trace_failed;
	/* Interrupts and reset (irqchip.c, reboot.c). */
	bool irqchip;				   /* KVM's PIC/IOAPIC/LAPIC and PIT exist */
	struct irqchip_power_on *irqchip_power_on; /* what a reboot restores */
	atomic_bool reboot_pending;
	struct reboot_rendezvous reboot_gather; /* --reboot with --cpus > 1 */
	unsigned reboots;
	char reset_source[32];	     /* what reset the guest last, e.g. "port 0xCF9" */
	bool multiboot;		     /* entered as a Multiboot v1 kernel (boot_protocol.c) */
	uint32_t multiboot_info_gpa; /* EBX at the multiboot entry */
	struct vm_pause pause;	     /* the control socket's pause and resume (pause.h) */
	/* Called on the thread where the event happened; must not block. NULL: nobody listens. */
	void (*on_event)(void *ctx, enum vm_event event);
	void *on_event_ctx;
};

/* A device file's entry point: creates its state, registers its ranges, calls vm_add_device
 * (vm_add_device_with_reset if a guest can change its state). */
struct device_module {
	const char *name;
	int (*attach)(struct vm *vm, struct vmm_error *err);
};

int vm_create(struct vm *vm, const struct vm_config *cfg, struct vmm_error *err);

/* A VM without KVM: the buses, the stop request, the device table and a console on no fds,
 * for driving device models directly (unit tests, fuzzers, `minivmm compare`'s device-model
 * timing). Devices see vm->fd == -1 and fall back to plain userspace registers. vm_create()
 * starts from the same state; vm_destroy() frees either. */
void vm_init_without_kvm(struct vm *vm);

/* Runs until the guest stops. Returns 0 (the outcome is in vm->stop: reason and exit status,
 * and a vCPU's report for a guest fault) or a negative errno with err filled. */
int vm_run(struct vm *vm, struct vmm_error *err);

void vm_destroy(struct vm *vm);

/* For a reboot (reboot.c): rebuilds the boot structures, reloads the image, rewrites the boot
 * info and puts every vCPU at the entry again. */
int vm_reload_guest(struct vm *vm, struct vmm_error *err);

/* For device modules: a device without a reset hook (no guest-writable state). */
int vm_add_device(struct vm *vm, const char *name, void *state, void (*destroy)(void *state),
		  struct vmm_error *err);

/* The same, for a device with state a guest reset must clear (struct vm_device.reset). */
int vm_add_device_with_reset(struct vm *vm, const char *name, void *state,
			     void (*destroy)(void *state), void (*reset)(void *state),
			     struct vmm_error *err);

/* For a reboot (reboot.c): every device's reset hook, in attach order. Knows no device by name. */
void vm_reset_devices(struct vm *vm);

#endif
