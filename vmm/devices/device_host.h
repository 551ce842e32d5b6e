/* SPDX-License-Identifier: MIT */
/*
 * What a device gets from the machine it is plugged into: a handle, never the VM. Each device
 * file's attach() receives one struct device_host, registers its ranges on the buses and itself
 * in the device table, and keeps only the few narrow pieces it needs at run time (an interrupt
 * line, the reset line, the console, guest memory): as Firecracker hands its i8042 an event to
 * signal a reset rather than the VM, so a device cannot reach what it has no business with, and
 * a unit test can plug a device into a fake host.
 *
 * The machine (machine/vm.c, vm_device_host()) fills the handle; the callbacks run on whichever
 * thread the device calls them from (a vCPU thread in an exit, the console thread, a device's own
 * timer or worker thread).
 */
#ifndef MINIVMM_DEVICE_HOST_H
#define MINIVMM_DEVICE_HOST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vmm_error.h"

struct bus;
struct console;
struct device_table;
struct guest_mem;
struct kvm;
struct stop_request;

/* One ISA interrupt line (the in-kernel PIC/IOAPIC through KVM_IRQ_LINE, api.rst 4.25). A
 * device drives the level; the controller decides what it means (COM1 and the RTC raise and
 * lower their lines as the chips do). */
struct irq_line {
	/* NULL: no interrupt controller (--no-irqchip), the device is polled. Returns 0 or a
	 * negative errno; never calls back into a device, so a device may hold its lock. */
	int (*set)(void *ctx, unsigned irq, bool level);
	void *ctx;
	unsigned irq;
};

static inline bool irq_line_connected(const struct irq_line *line)
{
	return line->set != NULL;
}

static inline int irq_line_set(const struct irq_line *line, bool level)
{
	return line->set ? line->set(line->ctx, line->irq, level) : 0;
}

/* The platform's reset request (a PC's keyboard controller or reset control register pulling
 * the CPU's reset line). source names the requester for messages ("port 0xCF9"). The machine
 * acts on it after the exit that made it (machine/reboot.h), never inside the call. */
struct reset_line {
	void (*request)(void *ctx, const char *source);
	void *ctx;
};

static inline void reset_line_request(const struct reset_line *line, const char *source)
{
	if (line->request)
		line->request(line->ctx, source);
}

/* What can wake a VM sleeping in S3 (machine/sleep.h). */
enum wake_source {
	WAKE_RTC_ALARM,	   /* the CMOS RTC's alarm interrupt (AIE), if PM1_EN.RTC_EN is set */
	WAKE_CONSOLE_INPUT /* a key on the console (COM1's input) */
};

/* A device's wake signal, a level as a PC's wake inputs are: the RTC's is active from its alarm
 * interrupt until the guest acknowledges it (reading register C), so an alarm that fired just
 * before the sleep still wakes it; console input is a pulse (active true only). The machine
 * uses it only while the VM sleeps or falls asleep; cheap and never blocking, so a device may
 * call it with its own lock held, from any thread. */
struct wake_line {
	void (*set)(void *ctx, enum wake_source source, bool active);
	void *ctx;
};

static inline void wake_line_set(const struct wake_line *line, enum wake_source source, bool active)
{
	if (line->set)
		line->set(line->ctx, source, active);
}

/* S3 as the ACPI PM block asks for it: which wake events are enabled, and whom to tell of the
 * wake before the guest runs again (it sets WAK_STS, and RTC_STS for the alarm). */
struct sleep_request {
	bool rtc_alarm_wakes; /* PM1_EN.RTC_EN */
	void (*woke)(void *dev, enum wake_source source);
	void *dev;
};

/* The platform's power control: what the ACPI PM1 control register does with SLP_EN (ACPI 6.5
 * 4.8.3.2.1, 16.1). off is soft-off (S5): the run ends with status 0. suspend is S3: every vCPU
 * stops, memory and devices stay, and a wake event resumes the boot processor at the FACS
 * waking vector. Both return at once; the machine acts after the exit that asked
 * (machine/sleep.h), never inside the call. */
struct power_line {
	void (*off)(void *ctx);
	void (*suspend)(void *ctx, const struct sleep_request *request);
	void *ctx;
};

static inline void power_line_off(const struct power_line *line)
{
	if (line->off)
		line->off(line->ctx);
}

static inline void power_line_suspend(const struct power_line *line,
				      const struct sleep_request *request)
{
	if (line->suspend)
		line->suspend(line->ctx, request);
}

struct device_host {
	/* At attach: where a device registers its ranges (machine/bus.h) and itself, with its
	 * destroy and reset hooks (devices/device_table.h; attach order is reset order). */
	struct bus *pio_bus;
	struct bus *mmio_bus;
	struct device_table *devices;
	/* What a device may keep. */
	struct guest_mem *mem;	   /* DMA: virtqueues (machine/guest_mem.h) */
	struct console *console;   /* COM1's host end (host/console.h) */
	struct stop_request *stop; /* the exit ports end the run (machine/stop.h) */
	struct reset_line reset;   /* the i8042 and port 0xCF9 */
	struct power_line power;   /* the ACPI PM1 control register's sleep states */
	struct wake_line wake;	   /* the RTC alarm and console input wake an S3 sleep */
	/* ISA lines; set_irq NULL without an interrupt controller (use device_host_irq_line()). */
	int (*set_irq)(void *ctx, unsigned irq, bool level);
	void *irq_ctx;
	/* KVM's VM fd, for the ioctls that bind a device to KVM itself (KVM_IOEVENTFD, KVM_IRQFD,
	 * coalesced MMIO), and the capabilities to ask first; vm_fd is -1 without KVM (unit tests,
	 * fuzzers), and the device stays plain userspace registers. */
	int vm_fd;
	const struct kvm *kvm;
	/* Lets KVM batch the guest's writes to [addr, addr + size) (ports when pio) in its
	 * coalesced ring (api.rst 4.116) instead of exiting for each. The machine hands them to
	 * the bus in the order written, before the next exit and otherwise within
	 * VM_BATCH_IDLE_DRAIN_MS (machine/write_batch.h): only for writes whose effect may wait
	 * that long, which no interrupt or read-back depends on at once. Returns 0, or -ENOTSUP (no
	 * KVM, no capability, or the user asked for an exit per write): every write exits, as
	 * before. NULL: the same. */
	int (*batch_writes)(void *ctx, uint64_t addr, uint32_t size, bool pio);
	void *batch_ctx;
};

static inline int device_host_batch_writes(const struct device_host *host, uint64_t addr,
					   uint32_t size, bool pio)
{
	return host->batch_writes ? host->batch_writes(host->batch_ctx, addr, size, pio) : -ENOTSUP;
}

/* The handle on ISA line irq (0-15) a device keeps: only that line. */
static inline struct irq_line device_host_irq_line(const struct device_host *host, unsigned irq)
{
	return (struct irq_line){.set = host->set_irq, .ctx = host->irq_ctx, .irq = irq};
}

/* A device file's entry point: creates its state, registers its ranges and adds itself to
 * host->devices (with a reset hook if a guest can change its state). devices/devices.c lists
 * the modules a VM gets. */
struct device_module {
	const char *name;
	int (*attach)(const struct device_host *host, struct vmm_error *err);
};

#endif
