/* SPDX-License-Identifier: MIT */
/*
 * The contract between minivmm and the guest kernel it boots directly in 64-bit long mode.
 *
 * Shared by vmm/ (hosted C) and guest/ (freestanding C): only <stdint.h> types, no host headers.
 * The VMM builds everything below MINIVMM_RESERVED_END before the first KVM_RUN; the loader
 * refuses a guest image that overlaps it. The kernel finds the boot info through RDI at entry
 * (the first argument in the SysV calling convention, so the entry stub can call C directly).
 */
#ifndef MINIVMM_BOOT_ABI_H
#define MINIVMM_BOOT_ABI_H

#include <stdint.h>

/* --- Guest-physical memory layout --------------------------------------------------------- */
#define MINIVMM_BOOT_INFO_GPA  0x1000ull /* struct minivmm_boot_info, one page */
#define MINIVMM_GDT_GPA	       0x2000ull /* boot GDT: null, code64 (0x08), data (0x10) */
#define MINIVMM_PML4_GPA       0x3000ull /* 4-level identity map of 0..4 GiB */
#define MINIVMM_PDPT_GPA       0x4000ull /* one PDPT: entries 0..3 */
#define MINIVMM_PD_GPA	       0x5000ull /* four page directories of 2 MiB pages */
#define MINIVMM_PD_COUNT       4
#define MINIVMM_BOOT_STACK_TOP 0xf000ull  /* boot stack grows down from here */
#define MINIVMM_RESERVED_BEGIN 0x0ull	  /* page 0 is kept unmapped-by-convention too */
#define MINIVMM_RESERVED_END   0x10000ull /* guest images must load at or above this */
/* Multiboot v1 entry (include/minivmm/multiboot.h, vmm/x86/protected_mode.c): a flat 32-bit GDT
 * (null, code 0x08, data 0x10). A multiboot boot uses none of the layout above: the GDT and the
 * multiboot information live in the PC's reserved boot data area (vmm/platform/pc_layout.h), so
 * the kernel may load from 0x1000 up. */
#define MINIVMM_PM_CS 0x08
#define MINIVMM_PM_DS 0x10

#define MINIVMM_IDENTITY_MAP_SIZE (4ull << 30)	    /* RAM plus the MMIO window, all 2 MiB pages */
#define MINIVMM_MMIO_BASE	  0xc0000000ull	    /* MMIO window: RAM never reaches it */
#define MINIVMM_RAM_MAX		  MINIVMM_MMIO_BASE /* 3 GiB */
#define MINIVMM_RAM_MIN		  (2ull << 20)

/* Boot GDT selectors (the guest kernel installs its own GDT with user segments and a TSS). */
#define MINIVMM_BOOT_CS 0x08
#define MINIVMM_BOOT_DS 0x10

/* --- Ports --------------------------------------------------------------------------------- */
#define MINIVMM_UART_COM1_PORT 0x3f8
/* minivmm's own exit port: a write of v (1, 2 or 4 bytes) ends the run with exit status v if v is
 * at most MINIVMM_EXIT_STATUS_MAX, and with MINIVMM_EXIT_STATUS_MAX for any larger v: the
 * statuses above belong to minivmm, so a guest cannot pose as minivmm through this port. */
#define MINIVMM_EXIT_PORT	0x501
#define MINIVMM_EXIT_STATUS_MAX 63
/* QEMU's isa-debug-exit convention: a write of v ends the run with status ((v << 1) | 1) & 0xff,
 * any odd status, some of them also minivmm's own: minivmm's stderr and --result tell them
 * apart (README, "Exit statuses"). */
#define MINIVMM_ISA_DEBUG_EXIT_PORT 0xf4

/* --- The bench device (vmm/devices/bench_device.c), for guest/programs/bench.c -------------
 * Timed device accesses of each kind a VMM offers. All MMIO pieces share one 2 MiB page, so one
 * SYS_MMIO_MAP opens them all to ring 3; none is in the 0xd0000000 page the unclaimed-MMIO tests
 * probe.
 * - PIO register (4 ports): each write is one userspace exit (KVM_EXIT_IO); reads return the
 *   number of writes so far.
 * - PIO doorbell (4 ports): wired to an eventfd with KVM_IOEVENTFD (api.rst 4.59), so a 4-byte
 *   write is completed inside KVM with no userspace exit; other accesses exit as usual.
 * - MMIO register page: each write is one userspace exit (KVM_EXIT_MMIO); reads return the count.
 * - MMIO doorbell (4 bytes at the start of its page): the MMIO twin of the PIO doorbell.
 * - Coalesced MMIO page: KVM_REGISTER_COALESCED_MMIO (api.rst 4.116): each write still exits
 *   to KVM (it must decode the store), which appends it to a ring shared with the VMM and
 *   resumes the guest; only a write that finds the ring full exits to userspace. The VMM drains
 *   the ring. Likewise an ioeventfd write is a VM exit handled inside KVM.
 * Where KVM lacks ioeventfd or coalesced MMIO the same addresses are ordinary userspace registers.
 */
#define MINIVMM_BENCH_PIO_PORT		0x510
#define MINIVMM_BENCH_PIO_DOORBELL_PORT 0x518
#define MINIVMM_BENCH_PIO_SIZE		4 /* ports in each of the two PIO ranges */
#define MINIVMM_BENCH_MMIO_GPA		0xd0200000ull
#define MINIVMM_BENCH_MMIO_DOORBELL_GPA 0xd0201000ull
#define MINIVMM_BENCH_COALESCED_GPA	0xd0202000ull
#define MINIVMM_BENCH_MMIO_PAGE_SIZE	0x1000ull /* each of the three MMIO ranges */
#define MINIVMM_BENCH_DOORBELL_LEN	4	  /* bytes an ioeventfd doorbell matches */

/* --- virtio-mmio devices (vmm/virtio/, VIRTIO 1.2 section 4.2) --------------------------------
 * Each device is one 4 KiB register page (registers 0x000-0x0ff, device config from 0x100) in its
 * own slot; all slots share the 2 MiB page at MINIVMM_VIRTIO_MMIO_BASE (one SYS_MMIO_MAP), apart
 * from the bench device's page. QueueNotify (offset 0x50) is an ioeventfd where KVM has one. The
 * IRQ is the ISA line the used-buffer interrupt uses (irqfd) when an in-kernel irqchip exists.
 */
#define MINIVMM_VIRTIO_MMIO_BASE      0xd0400000ull
#define MINIVMM_VIRTIO_MMIO_SLOT_SIZE 0x1000ull
#define MINIVMM_VIRTIO_RNG_GPA	      MINIVMM_VIRTIO_MMIO_BASE /* slot 0: virtio-rng */
#define MINIVMM_VIRTIO_RNG_IRQ	      5

/* --- Boot information ---------------------------------------------------------------------- */
#define MINIVMM_BOOT_MAGIC 0x4d4d5654u /* "TVMM" little-endian; also passed in RSI at entry */
/* RSI of an application processor the VMM starts (--cpus N > 1): the same entry, RDI = boot
 * info, RDX = its cpu number 1..N-1 (also its APIC id); its RSP is the shared boot stack, so it
 * must switch stacks before it pushes anything. */
#define MINIVMM_AP_MAGIC	 0x50414d4du /* "MMAP" little-endian */
#define MINIVMM_BOOT_ABI_VERSION 1u
#define MINIVMM_CMDLINE_MAX	 1024
#define MINIVMM_VERSION_MAX	 32

struct minivmm_boot_info {
	uint32_t magic;	      /* MINIVMM_BOOT_MAGIC */
	uint32_t abi_version; /* MINIVMM_BOOT_ABI_VERSION */
	uint64_t ram_size;    /* bytes of RAM from guest-physical 0 */
	uint64_t pml4_gpa;    /* the page tables the VMM built (also in CR3) */
	uint64_t reserved_end;
	uint32_t cpu_count;
	uint32_t cmdline_len;		       /* bytes before the NUL */
	char cmdline[MINIVMM_CMDLINE_MAX];     /* NUL-terminated, empty if none was given */
	char vmm_version[MINIVMM_VERSION_MAX]; /* e.g. "minivmm 0.1.0" */
	uint32_t platform_flags;	       /* MINIVMM_PLATFORM_* */
};

/* platform_flags: what the machine has beyond the polled basics. */
#define MINIVMM_PLATFORM_IRQCHIP 0x1u /* 8259A PICs, IOAPIC, LAPIC, 8254 PIT (not --no-irqchip) */
/* --sipi-smp: the APs wait for INIT-SIPI-SIPI from the kernel (their LAPICs in KVM) instead of
 * being started by the VMM at the entry; the kernel may put its real-mode trampoline anywhere
 * from MINIVMM_RESERVED_END to MINIVMM_SIPI_TRAMPOLINE_MAX, the EBDA: from there to 1 MiB lie the
 * PC firmware tables (vmm/platform/pc_layout.h, docs/platform.md). */
#define MINIVMM_PLATFORM_SIPI_SMP   0x2u
#define MINIVMM_SIPI_TRAMPOLINE_MAX 0x9fc00ull

/* Exit statuses the toy guest kernel uses for itself (its programs choose their own). */
#define GUEST_STATUS_USER_FAULT	  40 /* a CPU exception in a ring-3 program */
#define GUEST_STATUS_KERNEL_FAULT 41 /* a CPU exception in the kernel */
#define GUEST_STATUS_BAD_BOOT	  42 /* boot info missing or of another ABI version */

#endif
