/* SPDX-License-Identifier: MIT */
/*
 * The bench workloads (guest/bench_workloads.h): the timed loops, what each asks its kernel for
 * beforehand, and fresh RAM for the memory-touch workload.
 */
#include "guest/bench_workloads.h"

#include "minivmm/workloads.h"
#include "guest/string.h"
#include "guest/user.h"

#define REGISTER(address) (*(volatile uint32_t *)(uintptr_t)(address))

/* --- The timed loops: each performs iters operations and returns a checksum (or 0). --------- */

static uint64_t loop_compute(uint64_t iters)
{
	return workload_compute(iters);
}

static uint64_t loop_compute_kernel(uint64_t iters)
{
	return (uint64_t)run_compute_in_kernel(iters);
}

/* The register loops differ only in where they write; inlined with a constant address, each
 * compiles to the same tight loop a hand-written one would. */
static inline uint64_t out_loop(uint16_t port, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		outl(port, (uint32_t)i);
	return 0;
}

static inline uint64_t store_loop(uint64_t gpa, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		REGISTER(gpa) = (uint32_t)i;
	return 0;
}

static uint64_t loop_pio(uint64_t iters)
{
	return out_loop(MINIVMM_BENCH_PIO_PORT, iters);
}

static uint64_t loop_pio_syscall(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		port_write(MINIVMM_BENCH_PIO_PORT, 4, (uint32_t)i);
	return 0;
}

static uint64_t loop_mmio(uint64_t iters)
{
	return store_loop(MINIVMM_BENCH_MMIO_GPA, iters);
}

static uint64_t loop_mmio_syscall(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		mmio_write(MINIVMM_BENCH_MMIO_GPA, (uint32_t)i);
	return 0;
}

static uint64_t loop_ioeventfd_pio(uint64_t iters)
{
	return out_loop(MINIVMM_BENCH_PIO_DOORBELL_PORT, iters);
}

static uint64_t loop_ioeventfd_mmio(uint64_t iters)
{
	return store_loop(MINIVMM_BENCH_MMIO_DOORBELL_GPA, iters);
}

static uint64_t loop_coalesced_mmio(uint64_t iters)
{
	return store_loop(MINIVMM_BENCH_COALESCED_GPA, iters);
}

static uint64_t loop_cpuid(uint64_t iters)
{
	uint32_t regs[4];

	for (uint64_t i = 0; i < iters; i++)
		cpuid(0, 0, regs);
	return 0;
}

static uint64_t loop_syscall(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		sys_nop();
	return 0;
}

/* --- Untimed preparation: what the program asks its kernel for before the loop. ------------- */

static int64_t grant_bench_port(void)
{
	return ioport_grant(MINIVMM_BENCH_PIO_PORT, MINIVMM_BENCH_PIO_SIZE);
}

static int64_t grant_doorbell_port(void)
{
	return ioport_grant(MINIVMM_BENCH_PIO_DOORBELL_PORT, MINIVMM_BENCH_PIO_SIZE);
}

static int64_t map_bench_mmio(void)
{
	/* One 2 MiB page holds the register, the doorbell and the coalesced page. */
	return mmio_map(MINIVMM_BENCH_MMIO_GPA);
}

#define EXIT_TO_MINIVMM "a VM exit to minivmm"
#define DRIVER_EXIT	"guest kernel, then a VM exit to minivmm"
#define IOEVENTFD	"KVM (ioeventfd), no exit to minivmm"

const struct bench_workload bench_workloads[] = {
    {"compute", NULL, loop_compute, 1, 100000, "nowhere: ring 3 runs natively"},
    {"compute-kernel", NULL, loop_compute_kernel, 1, 1000, "the guest kernel (same loop, ring 0)"},
    {"pio", grant_bench_port, loop_pio, 0, 2000, EXIT_TO_MINIVMM},
    {"pio-syscall", NULL, loop_pio_syscall, 0, 1000, DRIVER_EXIT},
    {"mmio", map_bench_mmio, loop_mmio, 0, 2000, EXIT_TO_MINIVMM},
    {"mmio-syscall", NULL, loop_mmio_syscall, 0, 1000, DRIVER_EXIT},
    {"ioeventfd-pio", grant_doorbell_port, loop_ioeventfd_pio, 0, 10000, IOEVENTFD},
    {"ioeventfd-mmio", map_bench_mmio, loop_ioeventfd_mmio, 0, 10000, IOEVENTFD},
    /* Each write still exits into KVM, which appends it to a ring; minivmm drains the ring
     * when it next runs, and is entered for a write only when the ring is full. */
    {"coalesced-mmio", map_bench_mmio, loop_coalesced_mmio, 0, 10000,
     "KVM's ring, minivmm only when full"},
    {"cpuid", NULL, loop_cpuid, 0, 10000, "KVM answers it, no exit to minivmm"},
    /* On the development host the trap in and out are exits KVM handles itself. */
    {"syscall", NULL, loop_syscall, 0, 2000, "the guest kernel, no exit to minivmm"},
};

const size_t bench_workload_count = sizeof bench_workloads / sizeof bench_workloads[0];

const struct bench_workload *bench_workload_find(const char *name)
{
	for (size_t i = 0; i < bench_workload_count; i++)
		if (strcmp(bench_workloads[i].name, name) == 0)
			return &bench_workloads[i];
	return NULL;
}

uint64_t bench_workload_time(const struct bench_workload *w, uint64_t iters, uint64_t *check)
{
	uint64_t start = bench_tsc_now();
	*check = w->loop(iters);
	return bench_tsc_now() - start;
}

/* --- mem ------------------------------------------------------------------------------------- */

static uint64_t fresh_ram_handed_out; /* bytes from SYS_MEM_MAP's start, touched or promised */

int64_t bench_fresh_ram(uint64_t bytes)
{
	if (bytes == 0 || bytes > MINIVMM_RAM_MAX - fresh_ram_handed_out)
		return -GUEST_EINVAL;
	int64_t start = mem_map(fresh_ram_handed_out + bytes);
	if (start < 0)
		return start;
	int64_t fresh = start + (int64_t)fresh_ram_handed_out;
	fresh_ram_handed_out += bytes;
	return fresh;
}

uint64_t bench_touch_pages(volatile uint8_t *base, uint64_t pages)
{
	uint64_t start = bench_tsc_now();
	for (uint64_t i = 0; i < pages; i++)
		base[i * BENCH_PAGE_SIZE] = (uint8_t)i;
	return bench_tsc_now() - start;
}
