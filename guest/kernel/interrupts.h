/* SPDX-License-Identifier: MIT */
/*
 * Hardware interrupts (interrupts.c, irq_stubs.S): the 8259A PICs remapped to vectors
 * 0x20-0x2f, the 8254 PIT's channel 0 as a 100 Hz tick, COM1's receive interrupt feeding a
 * small input buffer, and on request the CMOS RTC's periodic interrupt (IRQ 8), counted. Present
 * only when the VMM created an in-kernel irqchip (boot info MINIVMM_PLATFORM_IRQCHIP); otherwise
 * the kernel stays polled, as before.
 */
#ifndef GUEST_INTERRUPTS_H
#define GUEST_INTERRUPTS_H

#include <stdint.h>

#include "minivmm/boot_abi.h"

/* Sets up the PICs, the timer and the UART interrupt, and lets ring 3 run with IF set. Call
 * after idt_init() and serial_init(). Does nothing on a machine without an irqchip. */
void interrupts_init(const struct minivmm_boot_info *boot_info);

/* System calls (syscall_numbers.h). */
int64_t sys_console_read(uint64_t buf, uint64_t len);
uint64_t sys_ticks(void);
uint64_t sys_tick_hz(void);
int64_t sys_sleep_ticks(uint64_t ticks);
int64_t sys_rtc_periodic(uint64_t rate);
uint64_t sys_rtc_interrupts(void);

#endif
