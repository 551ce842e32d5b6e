/* SPDX-License-Identifier: MIT */
/* Port I/O, physical memory and CPU helpers for pc_check (32-bit protected mode, no paging:
 * a physical address below 4 GiB is a pointer). */
#ifndef PC_CHECK_IO_H
#define PC_CHECK_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void *phys(uint32_t address)
{
	/* Hidden from the optimizer: low addresses (0x40E) are real memory here, not null. */
	__asm__("" : "+r"(address));
	return (void *)(uintptr_t)address;
}

static inline uint32_t mmio_read32(uint32_t address)
{
	return *(volatile uint32_t *)phys(address);
}
static inline void mmio_write32(uint32_t address, uint32_t v)
{
	*(volatile uint32_t *)phys(address) = v;
}

/* Unaligned little-endian reads of firmware tables (x86 allows them; memcpy keeps C honest). */
static inline uint16_t get16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}
static inline uint32_t get32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t get64(const void *p)
{
	return get32(p) | (uint64_t)get32((const uint8_t *)p + 4) << 32;
}

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* 64-by-32 division without libgcc (-m32 has no __udivdi3 here): the quotient may be 64 bits. */
uint64_t div64(uint64_t n, uint32_t d, uint32_t *remainder);

/* The byte sum of [p, p + n): firmware tables sum to 0 (ACPI 6.5 5.2, MP spec 4.1). */
uint8_t byte_sum(const void *p, uint32_t n);

#endif
