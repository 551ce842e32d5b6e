/* SPDX-License-Identifier: MIT */
/*
 * One virtual machine: guest RAM, the two buses, the devices, the vCPUs, the console and the
 * stop request, put together and taken apart in one place.
 *
 * Its fields are for the machine core (vm.c, vcpu.c, run_loop.c, reboot.c, boot_protocol.c,
 * which call each other) and for the commands that build and run a VM. A device never sees
 * struct vm: it gets a struct device_host (devices/device_host.h, vm_device_host()).
 */
#ifndef MINIVMM_VM_H
#define MINIVMM_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What struct vm and struct vm_config hold by value; what they only point to is declared below. */
#include "devices/device_table.h"
#include "host/console.h"
#include "loader/loader.h"
#include "machine/boot_protocol.h"
#include "machine/bus.h"
#include "machine/guest_mem.h"
#include "machine/kvm.h"
#include "machine/pause.h"
#include "machine/reboot.h"
#include "machine/sleep.h"
#include "machine/stop.h"
#include "machine/vcpu.h"
#include "trace/trace_session.h"
#include "util/vmm_error.h"
#include "x86/cpu_model.h"

#define VM_MAX_VCPUS 8

struct device_host;
struct device_module;
struct fd_reaper;
struct gdb_stub;
struct snapshot_ctx;
struct vm_ram_file;
struct multiboot_module_spec;

enum guest_format { GUEST_FORMAT_ELF, GUEST_FORMAT_FLAT };

/* What the VM tells an observer (the control socket) that no one waits for. VM_EVENT_STOP: the
 * stop request was just raised (its reason and status are set): the moment the guest wrote an
 * exit port or powered off, or anyone else asked, before the vCPUs have wound down. */
enum vm_event { VM_EVENT_REBOOT, VM_EVENT_STOP };

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
	 * mode at the guest's entry with RSI = MINIVMM_AP_MAGIC, RDX = their number
	 * (boot_protocol.c; the guest's side is guest/kernel/smp.c). A multiboot kernel's APs wait
	 * for its INIT-SIPI-SIPI instead, as with --sipi-smp. */
	unsigned cpus;
	/* --sipi-smp: leave the APs in KVM's wait-for-SIPI state; the guest starts them. */
	bool sipi_smp;
	bool direct_smp;	       /* --direct-smp given: refused for a multiboot kernel */
	enum cpu_model_kind cpu_model; /* --cpu-model: the CPU the guest sees */
	/* Boot protocol (boot_protocol.h): direct 64-bit or Multiboot v1, and its modules. */
	enum boot_protocol boot;
	const struct multiboot_module_spec *modules;
	size_t module_count;
	/* `minivmm restore` (snapshot/snapshot_restore.h): RAM is this file's, mapped
	 * copy-on-write from ram_offset, and no image is loaded or entered: the snapshot's state
	 * is given to the vCPUs and devices afterwards. NULL: a fresh boot. */
	const struct vm_ram_file *ram_file;
	/* VM churn (bench/churn.c): vm_destroy() hands the VM fd, its last reference, to this
	 * reaper instead of closing it, so KVM's teardown waits overlap the next VMs' lives
	 * (host/fd_reaper.h). NULL: vm_destroy() closes it itself. */
	struct fd_reaper *vm_fd_reaper;
	/* --no-write-batching: every guest write exits, none waits in KVM's coalesced ring
	 * (machine/write_batch.h), as a teaching trace wants to show. */
	bool no_write_batching;
};

struct vm_ram_file {
	int fd;
	uint64_t offset; /* page-aligned */
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
	struct device_table devices; /* in attach order, which is also reset order */
	struct vcpu vcpus[VM_MAX_VCPUS];
	unsigned vcpu_count;
	struct trace_session *trace;  /* NULL when nothing is traced */
	struct vmm_error trace_error; /* a trace output that could not be written */
	bool trace_failed;
	bool irqchip;		    /* KVM's PIC/IOAPIC/LAPIC and PIT exist (irqchip.c) */
	struct reboot_state reboot; /* guest resets and --reboot (reboot.c's own) */
	struct boot_protocol_state boot_protocol; /* how the image is entered (boot_protocol.c) */
	struct gdb_stub *gdb;  /* --gdb (gdb/gdb_stub.h); NULL: no debugger, no hooks */
	struct vm_pause pause; /* the control socket's pause and resume (pause.h) */
	/* What saving a snapshot needs, probed before the sandbox (snapshot/snapshot.h); NULL:
	 * this run cannot be snapshotted. */
	struct snapshot_ctx *snapshot;
	struct vm_sleep sleep; /* ACPI S3 (sleep.h): its thread, the wake events */
	/* Called on the thread where the event happened; must not block. NULL: nobody listens. */
	void (*on_event)(void *ctx, enum vm_event event);
	void *on_event_ctx;
	/* KVM's coalesced ring (write_batch.h): whether a device's range is batched, the lock its
	 * consumers take in turn, and the writes they have handed on (written under the lock; the
	 * main thread's pace and --stats read it). */
	bool batching;
	pthread_mutex_t batch_lock;
	uint64_t batch_drained;
};

int vm_create(struct vm *vm, const struct vm_config *cfg, struct vmm_error *err);

/* A VM without KVM: the buses, the stop request, the device table and a console on no fds,
 * for driving device models directly (unit tests, fuzzers, `minivmm compare`'s device-model
 * timing). Devices get a handle with vm_fd -1 and stay plain userspace registers. vm_create()
 * starts from the same state; vm_destroy() frees either. */
void vm_init_without_kvm(struct vm *vm);

/* The handle a device of this VM gets at attach (devices/device_host.h): the buses, the device
 * table, guest memory, the console, the stop request, ISA lines (none without an irqchip), the
 * reset line (reboot.c) and KVM's VM fd (-1 without KVM). */
void vm_device_host(struct vm *vm, struct device_host *host);

/* Attaches one device module to the VM through that handle (vm_create attaches them all; unit
 * tests and `minivmm compare` attach one to a VM without KVM). */
int vm_attach_device(struct vm *vm, const struct device_module *module, struct vmm_error *err);

/* Runs until the guest stops. Returns 0 (the outcome is in vm->stop: reason and exit status,
 * and a vCPU's report for a guest fault) or a negative errno with err filled. */
int vm_run(struct vm *vm, struct vmm_error *err);

void vm_destroy(struct vm *vm);

/* For a reboot (reboot.c): rebuilds the boot structures, reloads the image, rewrites the boot
 * info and puts every vCPU at the entry again. */
int vm_reload_guest(struct vm *vm, struct vmm_error *err);

#endif
