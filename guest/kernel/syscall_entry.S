/* SPDX-License-Identifier: MIT */
/*
 * System-call entry points, and the first switch to ring 3.
 *
 * Programs enter with INT $0x80 (SYSCALL_VECTOR): the CPU switches to TSS.RSP0 and pushes SS,
 * RSP, RFLAGS, CS, RIP (Intel SDM vol. 3A 6.14.2, 6.14.3), IRETQ returns. That is the path
 * guest/include/guest/user.h uses, because on the development host (KVM's PVM in its native-
 * guest mode) the SYSCALL instruction executed in ring 3 jumps to IA32_LSTAR *without* leaving
 * ring 3, where the kernel's supervisor-only pages then fault.
 *
 * That host also turns every INT n executed in ring 3 into an invalid-opcode exception (#UD) at
 * the INT instruction instead of delivering vector n. So the #UD gate points at
 * invalid_opcode_entry, which recognizes INT $0x80 (bytes CD 80) from ring 3, moves RIP past it,
 * as the trap would have, and joins the system-call path; anything else is a real #UD.
 *
 * The SYSCALL entry is still configured (syscall.c) for hosts where it works: it builds the same
 * IRETQ frame by hand and joins the common path. SYSCALL (vol. 3A 5.8.8) has loaded CS/SS from
 * IA32_STAR, RIP from IA32_LSTAR, saved the user RIP in RCX and RFLAGS in R11, cleared the
 * RFLAGS bits in IA32_FMASK, and left RSP alone (the user's, never trusted). It returns with
 * IRETQ too, never SYSRETQ, which is reported to triple-fault in ring 0 on the development host.
 *
 * Register ABI: guest/include/guest/syscall_numbers.h. The handlers in syscall.c are plain C
 * functions called with the user's rdi, rsi, rdx and r10 (moved to rcx) as their arguments.
 */
#include "guest/syscall_numbers.h"
#include "kernel_layout.h"

	.text
	.global syscall_trap_entry
syscall_trap_entry:
	/* An interrupt gate leaves DF as ring 3 had it (Intel SDM vol. 3A 6.12.1.3); the C ABI
	 * wants it clear, and the kernel's string instructions (serial.c, syscall.c) would run
	 * backwards over memory outside the checked range. IRETQ restores ring 3's RFLAGS. */
	cld
	/* The CPU aligned RSP to 16 before pushing its 40-byte frame: realign for the call. */
	sub $8, %rsp
	cmp $SYS_COUNT, %rax
	jae 1f
	mov %r10, %rcx
	call *syscall_table(, %rax, 8)
	add $8, %rsp
	iretq
1:	mov $-GUEST_ENOSYS, %rax
	add $8, %rsp
	iretq

	.global invalid_opcode_entry
invalid_opcode_entry:
	/* #UD pushes no error code: RIP is at 0(%rsp), CS at 8(%rsp). RCX is free to use: the
	 * system-call ABI clobbers it, and a genuine #UD ends the run. */
	testb $3, 8(%rsp)
	jz 2f
	/* The CPU fetched these bytes from ring 3 a moment ago, so they are user memory. */
	mov (%rsp), %rcx
	cmpw $0x80cd, (%rcx)
	jne 2f
	addq $2, (%rsp)
	jmp syscall_trap_entry
2:	pushq $0 /* error code */
	pushq $6 /* vector */
	jmp exception_common

	.global syscall_entry
syscall_entry:
	mov %rsp, user_rsp_at_syscall(%rip)
	/* The kernel stack is idle whenever ring 3 runs, so each entry starts at its top. */
	mov $kernel_stack_top, %rsp
	pushq $GDT_USER_DATA
	pushq user_rsp_at_syscall(%rip)
	pushq %r11
	pushq $GDT_USER_CODE
	pushq %rcx
	jmp syscall_trap_entry

/*
 * noreturn void enter_user_mode(uint64_t rip, uint64_t rsp): the first switch to ring 3, through
 * the same IRETQ frame a system call returns with.
 */
	.global enter_user_mode
enter_user_mode:
	/* Ring 3 gets the user data selector in DS/ES and null FS/GS (base 0), not the kernel's
	 * selectors the boot left there. They are never changed again: 64-bit mode ignores DS/ES,
	 * and the kernel does not use FS/GS. */
	mov $GDT_USER_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	pushq $GDT_USER_DATA
	pushq %rsi
	pushq user_rflags(%rip) /* USER_RFLAGS, plus IF once interrupts.c has set them up */
	pushq $GDT_USER_CODE
	pushq %rdi
	iretq

	.section .bss
	.balign 8
user_rsp_at_syscall:
	.quad 0

	.section .note.GNU-stack, "", @progbits
