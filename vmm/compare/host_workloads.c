/* SPDX-License-Identifier: MIT */
/*
 * The host side of `minivmm compare`: the same operations as an ordinary process does them.
 * Timed with CLOCK_MONOTONIC (vDSO), each a median of several runs.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compare/compare.h"
#include "util/median.h"
#include "devices/bench_device.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "minivmm/workloads.h"
#include "trace/vcpu_trace.h"

/* Keeps results alive so the compiler cannot drop the measured work. */
static volatile uint64_t sink;

static int touch_pages(uint8_t *mem, uint64_t bytes)
{
	for (uint64_t off = 0; off < bytes; off += 4096)
		mem[off] = (uint8_t)off;
	return 0;
}

/* The bench device's PIO register, reached through the same bus the run loop uses. */
static uint64_t device_model_loop(uint64_t iters)
{
	static struct vm vm;
	vm_init_without_kvm(&vm); /* no KVM: the device's ranges are plain userspace registers */
	struct vmm_error err;
	if (vm_attach_device(&vm, &bench_device_module, &err))
		return 0;
	uint64_t start = monotonic_ns();
	for (uint64_t i = 0; i < iters; i++) {
		uint8_t data[4] = {(uint8_t)i};
		bus_access(&vm.pio_bus, MINIVMM_BENCH_PIO_PORT, data, 4, true);
	}
	uint64_t elapsed = monotonic_ns() - start;
	vm_destroy(&vm);
	return elapsed;
}

/* One timed run; returns elapsed ns, or 0 when the workload cannot run here. */
static uint64_t host_run_once(enum host_workload w, uint64_t iters, uint64_t mem_mib)
{
	uint64_t start, elapsed = 0;
	switch (w) {
	case HOST_COMPUTE:
		start = monotonic_ns();
		sink = workload_compute(iters);
		return monotonic_ns() - start;
	case HOST_MEM_FIRST_TOUCH:
	case HOST_MEM_SECOND_TOUCH: {
		uint64_t bytes = mem_mib << 20;
		uint8_t *mem =
		    mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return 0;
		start = monotonic_ns();
		touch_pages(mem, bytes);
		elapsed = monotonic_ns() - start;
		if (w == HOST_MEM_SECOND_TOUCH) {
			start = monotonic_ns();
			touch_pages(mem, bytes);
			elapsed = monotonic_ns() - start;
		}
		munmap(mem, bytes);
		return elapsed;
	}
	case HOST_WRITE_DEVNULL: {
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		uint32_t value = 0;
		start = monotonic_ns();
		for (uint64_t i = 0; i < iters; i++)
			sink += (uint64_t)write(fd, &value, sizeof value);
		elapsed = monotonic_ns() - start;
		close(fd);
		return elapsed;
	}
	case HOST_SYSCALL:
		start = monotonic_ns();
		for (uint64_t i = 0; i < iters; i++)
			sink += (uint64_t)getppid();
		return monotonic_ns() - start;
	case HOST_CPUID: {
		unsigned a, b, c, d;
		start = monotonic_ns();
		for (uint64_t i = 0; i < iters; i++) {
			__cpuid(0, a, b, c, d);
			sink += a;
		}
		return monotonic_ns() - start;
	}
	case HOST_DEVICE_MODEL:
		return device_model_loop(iters);
	case HOST_IOPERM_OUTB:
		if (ioperm(0x80, 1, 1) != 0)
			return 0;
		start = monotonic_ns();
		for (uint64_t i = 0; i < iters; i++)
			outb(0, 0x80);
		elapsed = monotonic_ns() - start;
		ioperm(0x80, 1, 0);
		return elapsed;
	}
	return 0;
}

struct measurement host_measure(enum host_workload w, uint64_t iters, unsigned repeats,
				uint64_t mem_mib)
{
	struct measurement m = {.available = true};
	double per_op[COMPARE_MAX_REPEATS];
	uint64_t ops = (w == HOST_MEM_FIRST_TOUCH || w == HOST_MEM_SECOND_TOUCH)
			   ? (mem_mib << 20) / 4096
			   : iters;
	if (repeats > COMPARE_MAX_REPEATS)
		repeats = COMPARE_MAX_REPEATS;
	for (unsigned r = 0; r < repeats; r++) {
		uint64_t ns = host_run_once(w, iters, mem_mib);
		if (ns == 0) {
			m.available = false;
			m.why_not =
			    w == HOST_IOPERM_OUTB
				? (errno == ENOSYS ? "ioperm: ENOSYS here" : "ioperm not permitted")
				: "could not run";
			return m;
		}
		per_op[r] = (double)ns / (double)ops;
	}
	m.ns_per_op = median_with_spread(per_op, repeats, &m.spread_pct);
	return m;
}
