/* SPDX-License-Identifier: MIT */
/*
 * GDT and 64-bit TSS.
 *
 * The GDT holds the four flat segments ring 0 and ring 3 need, in the order SYSCALL/SYSRET
 * expect (kernel_layout.h), plus the TSS descriptor. The TSS gives the CPU the stack to switch to
 * when an exception arrives in ring 3 (RSP0) and the I/O permission bitmap.
 */
#include <stddef.h>
#include <stdint.h>

#include "cpu_tables.h"
#include "kernel_layout.h"

/* Code/data descriptors (Intel SDM vol. 3A 3.4.5): base 0, limit 4 GiB (ignored in 64-bit mode
 * for code, DS/ES/SS bases too), present, type code execute/read or data read/write. Code
 * segments set L (64-bit); data segments set D/B. */
#define SEG_KERNEL_CODE64 0x00af9a000000ffffull /* P, DPL 0, code, L */
#define SEG_KERNEL_DATA	  0x00cf92000000ffffull /* P, DPL 0, data, writable */
#define SEG_USER_DATA	  0x00cff2000000ffffull /* P, DPL 3, data, writable */
#define SEG_USER_CODE64	  0x00affa000000ffffull /* P, DPL 3, code, L */

#define TSS_TYPE_AVAILABLE_64 0x89ull /* P, DPL 0, type 9: available 64-bit TSS */

/* Bytes the I/O permission bitmap covers: one bit per port, 65536 ports. */
#define IO_BITMAP_PORTS 65536
#define IO_BITMAP_BYTES (IO_BITMAP_PORTS / 8)

/* 64-bit TSS (Intel SDM vol. 3A 7.7, figure 7-11), followed by its I/O permission bitmap (vol. 1
 * 19.5.2). A set bit denies ring 3 the port; all bits are set, so ring 3 reaches no port and goes
 * through system calls. The bitmap is consulted whenever CPL > IOPL, and on this host even when
 * IOPL = 3. The byte of all ones after the bitmap is required: the CPU reads two bytes for every
 * check. tss_grant_io_ports() grants ports by clearing bits. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3]; /* stack for a switch to ring 0, 1, 2 */
	uint64_t reserved1;
	uint64_t ist[7]; /* interrupt stack table (unused) */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* offset of the I/O bitmap from the TSS base */
	uint8_t io_bitmap[IO_BITMAP_BYTES + 1];
} __attribute__((packed));

extern char kernel_stack_top[];

/* Statically initialized (the bitmap lands in .data), because filling 8 KiB at run time would cost
 * tens of thousands of emulated ring-0 instructions. */
static struct tss64 tss __attribute__((aligned(16))) = {
    .rsp = {(uint64_t)kernel_stack_top},
    .iomap_base = offsetof(struct tss64, io_bitmap),
    .io_bitmap = {[0 ... IO_BITMAP_BYTES] = 0xff},
};

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16))) = {
    [0] = 0,
    [GDT_KERNEL_CODE / 8] = SEG_KERNEL_CODE64,
    [GDT_KERNEL_DATA / 8] = SEG_KERNEL_DATA,
    [GDT_USER_DATA / 8] = SEG_USER_DATA,
    [GDT_USER_CODE / 8] = SEG_USER_CODE64,
    /* [GDT_TSS / 8] and the slot after it: filled in by gdt_tss_init */
};

/* The LGDT operand, a constant: loading it is one instruction. */
static const struct descriptor_table_register gdtr = {sizeof(gdt) - 1, (uint64_t)gdt};

void gdt_tss_init(void)
{
	/* A TSS descriptor is 16 bytes with the base scattered over both halves (Intel SDM vol. 3A
	 * 7.2.3, figure 7-4); the linker cannot compute that split, so it is done here. */
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	gdt[GDT_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
			   TSS_TYPE_AVAILABLE_64 << 40 | (limit >> 16 & 0xf) << 48 |
			   (base >> 24 & 0xff) << 56;
	gdt[GDT_TSS / 8 + 1] = base >> 32;

	/* CS = 0x08 and SS/DS/ES = 0x10 are the boot GDT's selectors and describe the same segments
	 * in ours, so the loaded segment registers stay valid without a far jump or reload. */
	__asm__ volatile("lgdt %0" : : "m"(gdtr) : "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS) : "memory");
}

int tss_grant_io_ports(uint64_t port, uint64_t count)
{
	/* Bit n of the bitmap is port n (Intel SDM vol. 1 19.5.2); a clear bit lets CPL > IOPL code
	 * use the port. A multi-byte access checks every port it covers, so outl needs all four.
	 * The CPU reads the bitmap from the TSS on every check: no reload or flush is needed. */
	if (count == 0 || port >= IO_BITMAP_PORTS || count > IO_BITMAP_PORTS - port)
		return -1;
	for (uint64_t p = port; p < port + count; p++)
		tss.io_bitmap[p / 8] &= (uint8_t) ~(1u << (p % 8));
	return 0;
}
