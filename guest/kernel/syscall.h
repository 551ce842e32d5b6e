/* SPDX-License-Identifier: MIT */
/*
 * System calls: MSR setup and the state the handlers need.
 */
#ifndef GUEST_SYSCALL_H
#define GUEST_SYSCALL_H

#include "minivmm/boot_abi.h"

/* Programs IA32_STAR/LSTAR/FMASK; boot_info is what SYS_BOOT_INFO hands out. */
void syscall_init(const struct minivmm_boot_info *boot_info);

#endif
