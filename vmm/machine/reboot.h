/* SPDX-License-Identifier: MIT */
/*
 * A guest reset (the i8042's 0xFE command, port 0xCF9): the end of the run, or, with --reboot, a
 * fresh boot of the same image in the same VM.
 *
 * A device raises the request on the vCPU thread that is handling its port write; the run loop
 * acts on it before its next KVM_RUN (vm_reboot_if_requested), so the reboot never races a vCPU
 * inside the guest. The run loop does not know which device asked.
 */
#ifndef MINIVMM_REBOOT_H
#define MINIVMM_REBOOT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "util/vmm_error.h"

struct irqchip_power_on;
struct vm;
struct vcpu;

/* With several vCPUs, the one that takes the reboot (the leader) first gathers all the others
 * outside KVM_RUN: it sets `active` and kicks them; each parks in vm_reboot_if_requested() until
 * `generation` moves on. Only then is it safe to rewrite guest RAM and every vCPU's state. */
struct reboot_rendezvous {
	atomic_bool active;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a vCPU parked, or the reboot is over */
	unsigned parked;	/* vCPUs waiting for the reboot to finish */
	unsigned generation;	/* reboots finished */
};

/* Is a reboot gathering the vCPUs? (Halted vCPUs that nap outside KVM_RUN poll this.) */
static inline bool reboot_gathering(struct reboot_rendezvous *r)
{
	return atomic_load_explicit(&r->active, memory_order_acquire);
}

/* The reboot state of one VM, owned by reboot.c (struct vm holds it; nothing else reads its
 * fields but the stop report's source). */
struct reboot_state {
	atomic_bool pending; /* a device pulled the reset line, --reboot: act at the next exit */
	struct reboot_rendezvous gather; /* --reboot with --cpus > 1 */
	unsigned count;			 /* reboots done */
	char source[32];		 /* what reset the guest last, e.g. "port 0xCF9" */
	struct irqchip_power_on *irqchip_power_on; /* what a reboot restores; NULL: nothing */
};

void reboot_state_init(struct reboot_state *r);
void reboot_state_destroy(struct reboot_state *r);

/* After the vCPUs exist and before the guest runs: with --reboot (vm->cfg.reboot), records what
 * a reboot restores (the interrupt controllers' power-on state, irqchip.c). Without --reboot it
 * does nothing: nothing would ever restore it. */
int reboot_prepare(struct vm *vm, struct vmm_error *err);

/* More resets than this with --reboot end the run (with VMM_EXIT_GUEST_RESET): a guest that
 * resets at every boot must not loop forever. */
#define VM_MAX_REBOOTS 100

/* The machine's end of a device's reset line (devices/device_host.h). source names it for
 * messages ("i8042 0xFE"). Without --reboot, or past VM_MAX_REBOOTS, raises a stop with
 * VMM_EXIT_GUEST_RESET; otherwise marks a reboot pending. */
void vm_request_reset(struct vm *vm, const char *source);

/* Drops whatever KVM was about to deliver to the old context: a queued exception, an injected or
 * pending interrupt, an NMI (api.rst 4.31/4.32 KVM_GET/SET_VCPU_EVENTS); for a reboot and an S3
 * resume (sleep.c). Returns 0 or a negative errno. */
int vcpu_clear_pending_events(struct vcpu *vcpu);

/* The run loop's safe point, after every exit: if a reboot is pending, gathers the other vCPUs
 * (see struct reboot_rendezvous), resets every device (device_table_reset_all), reloads the image,
 * rebuilds the boot structures and the boot info, returns the interrupt controllers and every
 * vCPU to power-on state and its boot entry. A failure stops the run with a report. On the
 * other vCPUs it parks them while a reboot runs. Returns true if this vCPU took part in one. */
bool vm_reboot_if_requested(struct vcpu *vcpu);

#endif
