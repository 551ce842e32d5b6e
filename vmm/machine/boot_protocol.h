/* SPDX-License-Identifier: MIT */
/*
 * Which boot protocol a guest image gets, and the vCPU state at its entry:
 *
 * - direct 64-bit (x86/long_mode.c): an ELF64 x86-64 executable entered at e_entry in long mode
 *   with minivmm's boot info (include/minivmm/boot_abi.h);
 * - Multiboot v1 (loader/multiboot*.c, x86/protected_mode.c): a kernel with a multiboot header,
 *   entered in 32-bit protected mode with EAX = 0x2BADB002 and EBX = the multiboot information.
 *
 * BOOT_AUTO picks direct 64-bit for an ELF64 x86-64 executable unless its multiboot header uses
 * the a.out kludge with entry_addr == e_entry (then the ELF entry is 32-bit multiboot code, as in
 * most hobby kernels); any other image with a multiboot header boots multiboot. So a kernel that
 * carries both entries, like the toy guest, boots direct by default and multiboot on request.
 */
#ifndef MINIVMM_BOOT_PROTOCOL_H
#define MINIVMM_BOOT_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/multiboot.h" /* the callers of boot_modules_load() hold the array it fills */
#include "util/vmm_error.h"

struct load_constraints;
struct vm;
struct vcpu;

enum boot_protocol { BOOT_AUTO, BOOT_DIRECT64, BOOT_MULTIBOOT };

/* What boot_protocol_load() decided, for boot_protocol_enter() at every (re)entry. struct vm
 * holds it (vm->boot_protocol); only this file's functions read or write it. */
struct boot_protocol_state {
	bool multiboot;		     /* entered as a Multiboot v1 kernel */
	uint32_t multiboot_info_gpa; /* EBX at the multiboot entry */
};

/* "auto", "direct64", "multiboot" -> 0 and *out; else -EINVAL. */
int boot_protocol_parse(const char *name, enum boot_protocol *out);

/* The protocol BOOT_AUTO resolves to for this image (never BOOT_AUTO). */
enum boot_protocol boot_protocol_detect(const void *image, size_t size);

/* Loads vm->cfg.image (an ELF or multiboot kernel, not --flat) by the protocol vm->cfg.boot asks
 * for, and for multiboot writes the boot information; sets vm->loaded and vm->boot_protocol. */
int boot_protocol_load(struct vm *vm, const struct load_constraints *limits, struct vmm_error *err);

/* Puts the vCPU at the guest's entry in the state its protocol defines. */
int boot_protocol_enter(struct vm *vm, struct vcpu *vcpu, struct vmm_error *err);

/* Opens each `--module FILE[,STRING]` (split at the first comma; STRING defaults to FILE) into
 * out[i], with its size: the loader reads it into guest RAM only once everything fits (and again
 * at a reboot, so the files stay open until boot_modules_free). On failure nothing stays open
 * or allocated. */
int boot_modules_load(const char *const *specs, unsigned count, struct multiboot_module_spec *out,
		      struct vmm_error *err);
void boot_modules_free(struct multiboot_module_spec *modules, unsigned count);

#endif
