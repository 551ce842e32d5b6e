/* SPDX-License-Identifier: MIT */
/*
 * The kernel's boot path: check the boot contract, set up the CPU tables, open the program's
 * memory to ring 3 and enter it. Everything here runs once, in ring 0, where each instruction is
 * emulated on the development host: keep it short.
 */
#include <stdint.h>
#include <stdnoreturn.h>

#include "minivmm/boot_abi.h"
#include "console.h"
#include "cpu_tables.h"
#include "interrupts.h"
#include "serial.h"
#include "smp.h"
#include "syscall.h"
#include "user_mode.h"

/* guest.ld: the program's memory, its stack top, and (crt0.S) its entry point. */
extern char __user_begin[], __user_end[], __user_stack_top[];
extern char user_start[];

noreturn void kmain(const struct minivmm_boot_info *boot_info, uint64_t magic);

static int boot_info_ok(const struct minivmm_boot_info *boot_info, uint64_t magic)
{
	uint64_t address = (uint64_t)boot_info;

	/* Check where it is before reading it: a bad pointer must not fault the kernel. */
	return magic == MINIVMM_BOOT_MAGIC && address >= 0x1000 &&
	       address <= MINIVMM_IDENTITY_MAP_SIZE - sizeof(*boot_info) &&
	       boot_info->magic == MINIVMM_BOOT_MAGIC &&
	       boot_info->abi_version == MINIVMM_BOOT_ABI_VERSION;
}

noreturn void kmain(const struct minivmm_boot_info *boot_info, uint64_t magic)
{
	serial_init();
	if (!boot_info_ok(boot_info, magic)) {
		kputs("guest: no minivmm boot info (bad magic or ABI version)\n");
		machine_exit(GUEST_STATUS_BAD_BOOT);
	}
	gdt_tss_init();
	idt_init();
	syscall_init(boot_info);
	interrupts_init(boot_info); /* a no-op on a polled machine (--no-irqchip) */
	smp_start(boot_info);	    /* the other CPUs' hellos (--cpus N), then "smp: N cpus up" */
	if (make_user_accessible((uint64_t)__user_begin, (uint64_t)__user_end) != 0) {
		kputs("guest: the program's memory is not mapped with 2 MiB pages\n");
		machine_exit(GUEST_STATUS_BAD_BOOT);
	}
	kputs("minivmm toy guest: kernel up (ring 0), entering user mode\n");
	enter_user_mode((uint64_t)user_start, (uint64_t)__user_stack_top);
}
