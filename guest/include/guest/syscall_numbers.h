/* SPDX-License-Identifier: MIT */
/*
 * The toy guest's system-call ABI, shared by the kernel (guest/kernel/) and ring-3 programs.
 *
 * Calling convention (Linux-like): the trap is INT $0x80 (see guest/kernel/syscall_entry.S for
 * why not SYSCALL); rax = call number, arguments in rdi, rsi, rdx, r10, r8, r9 (r10 rather than
 * rcx, so a SYSCALL entry could share the ABI), result in rax (negative = -GUEST_E* error).
 * The kernel preserves rbx, rbp, rsp, r12-r15 and may clobber the SysV caller-saved set (rcx,
 * rdx, rsi, rdi, r8-r11): the ring-0 path stays short because every ring-0 instruction is
 * emulated on the development host. No call takes more than three arguments yet.
 * The address-taking calls (SYS_MMIO_MAP, SYS_MEM_MAP) rely on the identity map: a returned
 * address is both guest-physical and the program's virtual address.
 *
 * To add a call: give it the next number here, bump SYS_COUNT, add its handler to the table in
 * guest/kernel/syscall.c and a wrapper in guest/include/guest/user.h.
 */
#ifndef GUEST_SYSCALL_NUMBERS_H
#define GUEST_SYSCALL_NUMBERS_H

#define SYS_EXIT	      0 /* (status) -> does not return; the run ends with status & 0xff */
#define SYS_WRITE	      1 /* (buf, len) -> len, to the serial console */
#define SYS_RDTSC	      2 /* () -> time-stamp counter read in ring 0 */
#define SYS_BOOT_INFO	      3 /* (buf, len) -> bytes of struct minivmm_boot_info copied */
#define SYS_PORT_READ	      4 /* (port, width 1|2|4) -> value read */
#define SYS_PORT_WRITE	      5 /* (port, width 1|2|4, value) -> 0 */
#define SYS_TEST_KERNEL_FAULT 6 /* () -> does not return: page fault in ring 0 (test only) */
#define SYS_TEST_TRIPLE_FAULT 7 /* () -> does not return: triple fault, machine shutdown */
/* Device access and benchmarking (guest/programs/bench.c). */
#define SYS_NOP		 8  /* () -> 0: the bare cost of a system call */
#define SYS_IOPORT_GRANT 9  /* (port, count) -> 0: ring 3 may use [port, port + count) itself */
#define SYS_MMIO_MAP	 10 /* (gpa in the MMIO window) -> gpa: its 2 MiB page opened to ring 3 */
#define SYS_MEM_MAP	 11 /* (bytes) -> address: that much RAM above the program, for ring 3 */
#define SYS_MMIO_WRITE	 12 /* (gpa, value) -> 0: the kernel stores 32 bits to an MMIO register */
#define SYS_RUN_COMPUTE	 13 /* (iters) -> workload_compute(iters) & INT64_MAX, run in ring 0 */
/* Interrupts and time (guest/kernel/interrupts.c, platform.c; the shell program). */
#define SYS_CONSOLE_READ 14 /* (buf, len) -> bytes (>= 1): waits (HLT) until input arrives */
#define SYS_TICKS	 15 /* () -> timer ticks since boot (0 without an interrupt controller) */
#define SYS_TICK_HZ	 16 /* () -> ticks per second, 0 if there is no timer (--no-irqchip) */
#define SYS_SLEEP_TICKS	 17 /* (ticks) -> 0: halts that many ticks; -EINVAL without a timer */
#define SYS_RTC_TIME	 18 /* (struct guest_rtc_time *) -> 0: the CMOS clock, UTC */
#define SYS_REBOOT	 19 /* () -> does not return: resets the machine (i8042, then 0xCF9) */
/* (rate 0-15) -> 0: rate 1-15 sets the RTC's periodic rate (register A RS bits; 6 = 1024 Hz,
 * 10 = 64 Hz, 15 = 2 Hz) and its interrupt on IRQ 8; 0 turns it off. -EINVAL without an
 * interrupt controller or for a rate above 15. */
#define SYS_RTC_PERIODIC   20
#define SYS_RTC_INTERRUPTS 21 /* () -> RTC interrupts taken since boot (IRQF set in register C) */
#define SYS_COUNT	   22

#ifndef __ASSEMBLER__
/* SYS_RTC_TIME's result, in binary whatever mode the RTC is in. */
struct guest_rtc_time {
	unsigned short year;					 /* e.g. 2025 */
	unsigned char month, day, hour, minute, second, weekday; /* 1-12, 1-31, 0-23, 1 = Sunday */
};
#endif

/* Error results (returned negated). */
#define GUEST_EFAULT 14 /* a pointer outside the program's own memory */
#define GUEST_EINVAL 22 /* a bad argument */
#define GUEST_ENOSYS 38 /* no such call */

#endif
