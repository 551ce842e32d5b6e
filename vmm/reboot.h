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

#include <stdbool.h>

struct vm;
struct vcpu;

/* More resets than this with --reboot end the run (with VMM_EXIT_GUEST_RESET): a guest that
 * resets at every boot must not loop forever. */
#define VM_MAX_REBOOTS 100

/* A device's reset line. source names it for messages ("i8042 0xFE"). Without --reboot, or past
 * VM_MAX_REBOOTS, raises a stop with VMM_EXIT_GUEST_RESET; otherwise marks a reboot pending. */
void vm_request_reset(struct vm *vm, const char *source);

/* The run loop's safe point: if a reboot is pending, resets every device (vm_reset_devices),
 * reloads the image, rebuilds the boot structures and the boot info, returns the interrupt
 * controllers and the vCPU to power-on state and the long-mode entry. A failure stops the run with
 * a report. Returns true if it rebooted. */
bool vm_reboot_if_requested(struct vcpu *vcpu);

#endif
