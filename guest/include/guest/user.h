/* SPDX-License-Identifier: MIT */
/*
 * The ring-3 program library (guest/user/): system-call wrappers and console output. A program
 * defines int main(void); crt0 calls it and passes its return value to exit.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "minivmm/boot_abi.h"
#include "guest/syscall_numbers.h"

/* Raw system calls (ABI in guest/syscall_numbers.h), through INT $0x80: the kernel may clobber
 * every SysV caller-saved register, so all of them are listed as outputs or clobbers. */
static inline int64_t syscall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	register uint64_t r9 __asm__("r9") = 0;

	__asm__ volatile("int $0x80"
			 : "+a"(nr), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	return (int64_t)nr;
}

static inline int64_t syscall0(uint64_t nr)
{
	return syscall3(nr, 0, 0, 0);
}

static inline int64_t syscall1(uint64_t nr, uint64_t a0)
{
	return syscall3(nr, a0, 0, 0);
}

static inline int64_t syscall2(uint64_t nr, uint64_t a0, uint64_t a1)
{
	return syscall3(nr, a0, a1, 0);
}

noreturn void exit(int status);
int64_t write(const void *buf, size_t len);			   /* to the console */
int64_t get_boot_info(struct minivmm_boot_info *info, size_t len); /* bytes copied */
uint64_t sys_rdtsc(void);					   /* TSC read by the kernel */
int64_t port_read(uint16_t port, unsigned width);		   /* width 1, 2 or 4 */
int64_t port_write(uint16_t port, unsigned width, uint32_t value);

/* Device access (see syscall_numbers.h). Negative results are -GUEST_E* errors. */
int64_t sys_nop(void);
int64_t ioport_grant(uint64_t port, uint64_t count); /* then in/out work in ring 3 */
int64_t mmio_map(uint64_t gpa);			     /* returns gpa, now a ring-3 address */
int64_t mem_map(uint64_t bytes); /* returns the start of the RAM opened to ring 3 */
int64_t mmio_write(uint64_t gpa, uint32_t value);
int64_t run_compute_in_kernel(uint64_t iters); /* workload_compute(iters) & INT64_MAX */

/* Interrupts and time (see syscall_numbers.h). */
int64_t read_console(void *buf, size_t len); /* blocks (HLT) until at least one byte */
uint64_t ticks_since_boot(void);
uint64_t tick_hz(void);			       /* 0: no timer (--no-irqchip) */
int64_t sleep_ticks(uint64_t ticks);	       /* -GUEST_EINVAL without a timer */
int64_t rtc_time(struct guest_rtc_time *time); /* UTC from the CMOS clock */
int64_t rtc_periodic(unsigned rate);	       /* 0 off, 1-15: the RTC's rate select */
uint64_t rtc_interrupts(void);		       /* RTC interrupts since boot */
noreturn void reboot(void);

/* Console output, each call one write system call (up to 256 bytes per call for printf). */
int print(const char *text);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cpuid and rdtsc run directly in ring 3: see guest/x86.h. */

#endif
