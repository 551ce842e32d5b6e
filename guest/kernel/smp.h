/* SPDX-License-Identifier: MIT */
/*
 * The application processors (--cpus N > 1): the VMM starts each one in long mode at the kernel's
 * entry with RSI = MINIVMM_AP_MAGIC and RDX = its number (entry.S branches to ap_main); each says
 * hello and parks. The BSP lets them print once its console is up and waits for them.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdint.h>
#include <stdnoreturn.h>

#include "minivmm/boot_abi.h"

/* entry.S calls this on an application processor's own stack (kernel_layout.h). */
noreturn void ap_main(const struct minivmm_boot_info *boot_info, uint64_t magic, uint64_t cpu);

/* On the BSP, after the console is up: releases the APs, waits (about a second at most) until
 * each has printed its hello, then prints "smp: N cpus up". Does nothing with one CPU. */
void smp_start(const struct minivmm_boot_info *boot_info);

#endif
