/* SPDX-License-Identifier: MIT */
/*
 * Checks the device-access system calls' argument validation from ring 3: each bad argument must
 * come back as -GUEST_EINVAL, each good one must work. Prints one line per failure and exits 1,
 * or prints "device syscalls: all checks passed" and exits 0.
 */
#include "guest/string.h"
#include "guest/user.h"
#include "guest/x86.h"

static int failures;

static void expect(const char *what, int64_t got, int64_t want)
{
	if (got != want) {
		printf("FAIL %s: got %ld, expected %ld\n", what, (long)got, (long)want);
		failures++;
	}
}

/* A system call made with RFLAGS.DF set. An interrupt gate does not clear DF (Intel SDM vol. 3A
 * 6.12.1.3), so the kernel must, or its string instructions run backwards: a copy to a user
 * buffer would write below it, into the kernel if the buffer starts the program's region. */
static int64_t syscall2_with_df_set(uint64_t nr, uint64_t a0, uint64_t a1)
{
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r8 __asm__("r8") = 0;
	register uint64_t r9 __asm__("r9") = 0;
	uint64_t a2 = 0;

	__asm__ volatile("std\n\tint $0x80\n\tcld"
			 : "+a"(nr), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory", "cc");
	return (int64_t)nr;
}

/* SYS_BOOT_INFO with DF set fills exactly the buffer, with what it gives with DF clear. */
static void check_direction_flag(void)
{
	static struct minivmm_boot_info want;
	static struct {
		uint64_t below;
		struct minivmm_boot_info info;
		uint64_t above;
	} got;
	const uint64_t canary = 0x5a5a5a5a5a5a5a5aull;

	expect("boot info", get_boot_info(&want, sizeof(want)), sizeof(want));
	got.below = got.above = canary;
	expect("boot info with DF set",
	       syscall2_with_df_set(SYS_BOOT_INFO, (uint64_t)&got.info, sizeof(got.info)),
	       sizeof(got.info));
	expect("nothing written below the buffer", got.below == canary, 1);
	expect("nothing written above the buffer", got.above == canary, 1);
	expect("the same boot info", memcmp(&got.info, &want, sizeof(want)) == 0, 1);
	static const char text[] = "device syscalls: a write with DF set\n";
	expect("write with DF set",
	       syscall2_with_df_set(SYS_WRITE, (uint64_t)text, sizeof(text) - 1), sizeof(text) - 1);
}

int main(void)
{
	const int64_t einval = -GUEST_EINVAL;

	expect("nop", sys_nop(), 0);

	expect("grant nothing", ioport_grant(0x510, 0), einval);
	expect("grant port 0x10000", ioport_grant(0x10000, 1), einval);
	expect("grant past 0xffff", ioport_grant(0xffff, 2), einval);
	expect("grant wrapping", ioport_grant(UINT64_MAX, 2), einval);
	expect("grant last port", ioport_grant(0xffff, 1), 0);
	expect("grant bench port", ioport_grant(MINIVMM_BENCH_PIO_PORT, 4), 0);
	outl(MINIVMM_BENCH_PIO_PORT, 1); /* would be #GP (status 40) without the grant */

	expect("map RAM as MMIO", mmio_map(0x200000), einval);
	expect("map below the window", mmio_map(MINIVMM_MMIO_BASE - 1), einval);
	expect("map past 4 GiB", mmio_map(MINIVMM_IDENTITY_MAP_SIZE), einval);
	expect("map bench page", mmio_map(MINIVMM_BENCH_MMIO_GPA + 8), MINIVMM_BENCH_MMIO_GPA + 8);
	expect("read the mapped register", *(volatile uint32_t *)MINIVMM_BENCH_MMIO_GPA, 0);

	expect("mmio write to RAM", mmio_write(0x200000, 1), einval);
	expect("mmio write unaligned", mmio_write(MINIVMM_BENCH_MMIO_GPA + 2, 1), einval);
	expect("mmio write past 4 GiB", mmio_write(MINIVMM_IDENTITY_MAP_SIZE - 2, 1), einval);
	expect("mmio write", mmio_write(MINIVMM_BENCH_MMIO_GPA, 1), 0);
	expect("read the write count", *(volatile uint32_t *)MINIVMM_BENCH_MMIO_GPA, 1);

	expect("mem map nothing", mem_map(0), einval);
	expect("mem map more than RAM", mem_map(MINIVMM_RAM_MAX), einval);
	expect("mem map huge", mem_map(UINT64_MAX), einval);
	int64_t base = mem_map(1);
	expect("mem map above the program", base > 0 && base % (2 << 20) == 0, 1);
	if (base > 0) {
		*(volatile uint64_t *)base = 42;
		expect("mem map usable", *(volatile uint64_t *)base, 42);
	}

	expect("compute in ring 0 too long", run_compute_in_kernel((1ull << 30) + 1), einval);
	expect("compute in ring 0", run_compute_in_kernel(0), 0);

	expect("unknown call", syscall0(SYS_COUNT), -GUEST_ENOSYS);
	check_direction_flag();
	if (failures)
		return 1;
	print("device syscalls: all checks passed\n");
	return 0;
}
