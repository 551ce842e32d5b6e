/* SPDX-License-Identifier: MIT */
/*
 * The trampoline page below 640 KiB (trampoline16.S): its real-mode code at offset 0, the 32-bit
 * address pm32_entry jumps to at TRAMPOLINE_TARGET, and from TRAMPOLINE_STATE what the kernel
 * must find after an S3 resume. It lies outside the kernel's ELF image, which QEMU's -kernel
 * loader writes again at the wake-up reset.
 */
#ifndef PC_CHECK_TRAMPOLINE_H
#define PC_CHECK_TRAMPOLINE_H

#include "mptable.h"
#include "multiboot.h"

#define TRAMPOLINE_TARGET    0x100 /* boot.S: jmp *TRAMPOLINE_TARGET(%ebx) */
#define TRAMPOLINE_STATE     0x200
#define TRAMPOLINE_STATE_MAX (0x1000 - TRAMPOLINE_STATE)

/* The highest 4 KiB page below 640 KiB (and below the EBDA) that the memory map says is
 * available and that holds no MP table; copies the trampoline there. 0 when there is none. */
uint32_t trampoline_install(const struct boot_info *boot, const struct mp_info *mp);
/* Where CPUs arriving through the page go next (ap_entry, s3_resume_entry). */
void trampoline_set_target(uint32_t page, void (*target)(void));
static inline void *trampoline_state(uint32_t page)
{
	return phys(page + TRAMPOLINE_STATE);
}

#endif
