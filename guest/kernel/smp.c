/* SPDX-License-Identifier: MIT */
/*
 * Application processors. By default the VMM starts them (vmm/machine/boot_protocol.c, "direct
 * SMP"): they arrive in long mode on the VMM's page tables and boot GDT. With --sipi-smp (boot info
 * flag MINIVMM_PLATFORM_SIPI_SMP) the BSP starts them with INIT-SIPI-SIPI and they come through
 * ap_trampoline.S and entry32.S's switch to long mode. Either way they reach ap_main() on their
 * own stacks with interrupts off, run only this file and never load an IDT: the BSP keeps every
 * device, interrupt and the ring-3 program.
 */
#include <stdint.h>

#include "minivmm/boot_abi.h"
#include "guest/string.h"
#include "guest/x86.h"
#include "console.h"
#include "kernel_layout.h"
#include "smp.h"

_Static_assert(KERNEL_AP_MAGIC == MINIVMM_AP_MAGIC, "entry.S's AP magic is boot_abi.h's");

/* Written by one CPU, read by others: every access goes through __atomic builtins. */
static uint32_t aps_released; /* the BSP's console is ready (serial_init done) */
static uint32_t aps_up;	      /* APs that have printed their hello */

/* About a second of TSC at the frequencies x86 hosts run at (1-4 GHz): the BSP's bound. */
#define SMP_WAIT_TSC (3ull << 30)

/* --sipi-smp: ap_trampoline.S, copied below 1 MiB for the SIPI. */
extern const char ap_trampoline[], ap_trampoline_end[];

/* The LAPIC's interrupt command register (Intel SDM vol. 3A 11.6.1): the destination APIC id in
 * bits 24-31 of the high half, then the low half sends. KVM's in-kernel LAPIC at its default
 * base; the kernel's identity map covers it (supervisor). */
#define LAPIC_ICR_LOW	     0xfee00300ull
#define LAPIC_ICR_HIGH	     0xfee00310ull
#define ICR_INIT	     0x00000500u /* delivery mode 101 */
#define ICR_STARTUP	     0x00000600u /* delivery mode 110, vector in bits 0-7 */
#define ICR_LEVEL_ASSERT     0x00004000u
#define ICR_DELIVERY_PENDING 0x00001000u
#define ICR_ALL_BUT_SELF     0x000c0000u

static void send_ipi(uint32_t apic_id, uint32_t low)
{
	volatile uint32_t *icr_low = (volatile uint32_t *)LAPIC_ICR_LOW;
	*(volatile uint32_t *)LAPIC_ICR_HIGH = apic_id << 24;
	*icr_low = low;
	for (unsigned spins = 0; (*icr_low & ICR_DELIVERY_PENDING) && spins < 1000; spins++)
		__builtin_ia32_pause();
}

#define SIPI_DELAY_TSC (1ull << 22) /* between INIT and each SIPI */

static void tsc_delay(uint64_t cycles)
{
	uint64_t start = rdtsc();
	while (rdtsc() - start < cycles)
		__builtin_ia32_pause();
}

/* Waits (bounded) until at least target APs have said hello. */
static void wait_for_aps(uint32_t target)
{
	uint64_t start = rdtsc();
	while (__atomic_load_n(&aps_up, __ATOMIC_ACQUIRE) < target &&
	       rdtsc() - start < SMP_WAIT_TSC)
		__builtin_ia32_pause();
}

/* The SDM's universal start-up (vol. 3A 9.4.4.1): INIT to all APs, then two SIPIs, as
 * broadcasts ("all excluding self", ICR bits 18-19); each AP learns its number from CPUID in
 * entry32.S. Every other vCPU of this VM is an AP to start, so the broadcast reaches exactly the
 * right ones. The SDM's 10 ms and 200 us waits are for real hardware; here 2^22 TSC cycles (1-4
 * ms) each.
 *
 * With the word `sipi=targeted` on the command line the same sequence goes to each APIC id in
 * turn (ICR high bits 24-31, physical destination), as an OS that starts only some CPUs does.
 * That form once lost the INIT to the last-created vCPU: KVM sends a physical-destination IPI
 * through its map of APIC ids, which did not include that vCPU until something rebuilt it;
 * minivmm now rebuilds it after creating the vCPUs (irqchip_complete_apic_map(),
 * vmm/machine/irqchip.c), and a test starts 2-8 vCPUs this way. */
static void start_aps_by_sipi(uint32_t aps, int targeted)
{
	memcpy((void *)(uintptr_t)KERNEL_TRAMPOLINE_GPA, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	uint32_t first = targeted ? 1 : 0, last = targeted ? aps : 0;
	uint32_t shorthand = targeted ? 0 : ICR_ALL_BUT_SELF;
	for (uint32_t apic_id = first; apic_id <= last; apic_id++) {
		send_ipi(apic_id, shorthand | ICR_INIT | ICR_LEVEL_ASSERT);
		tsc_delay(SIPI_DELAY_TSC);
		for (int i = 0; i < 2; i++) {
			send_ipi(apic_id, shorthand | ICR_STARTUP | ICR_LEVEL_ASSERT |
					      (KERNEL_TRAMPOLINE_GPA >> 12));
			tsc_delay(SIPI_DELAY_TSC);
		}
	}
}

/* Is `word` one of the space-separated words of the kernel's command line? */
static int cmdline_has_word(const struct minivmm_boot_info *boot_info, const char *word)
{
	size_t len = strlen(word);
	for (const char *p = boot_info->cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, word, len) == 0 && (p[len] == ' ' || p[len] == '\0'))
			return 1;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

noreturn void ap_main(const struct minivmm_boot_info *boot_info, uint64_t magic, uint64_t cpu)
{
	(void)boot_info;
	(void)magic;
	while (!__atomic_load_n(&aps_released, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	/* CPUID leaf 1, EBX[31:24]: the initial APIC ID (Intel SDM vol. 3A 9.4.5); the VMM makes it
	 * the vCPU id (vmm/x86/cpuid.c), with and without the in-kernel LAPIC. */
	uint32_t regs[4];
	cpuid(1, 0, regs);
	kprintf("cpu %u: hello from an application processor (APIC id %u)\n", (unsigned)cpu,
		regs[1] >> 24);
	__atomic_add_fetch(&aps_up, 1, __ATOMIC_RELEASE);
	/* Park. With the in-kernel irqchip the HLT sleeps inside KVM; without it, the VMM parks the
	 * vCPU at its KVM_EXIT_HLT (an AP's HLT does not end the run, only the BSP's does). */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void smp_start(const struct minivmm_boot_info *boot_info)
{
	uint32_t aps = boot_info->cpu_count > 1 ? boot_info->cpu_count - 1 : 0;
	if (aps == 0)
		return;
	__atomic_store_n(&aps_released, 1, __ATOMIC_RELEASE);
	if (boot_info->platform_flags & MINIVMM_PLATFORM_SIPI_SMP)
		start_aps_by_sipi(aps, cmdline_has_word(boot_info, "sipi=targeted"));
	wait_for_aps(aps);
	kprintf("smp: %u cpus up\n", 1 + __atomic_load_n(&aps_up, __ATOMIC_ACQUIRE));
}
