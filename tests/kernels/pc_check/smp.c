/* SPDX-License-Identifier: MIT */
/*
 * Application processor start-up as the Intel SDM describes it (3A 9.4.4.1 "Typical BSP
 * Initialization Sequence", 11.6.1 the ICR): for each processor, an INIT IPI, 10 ms, then two
 * start-up IPIs 200 us apart whose vector is the trampoline's page number. The local APIC is
 * used in xAPIC mode through its MMIO page (the MADT's address).
 */
#include "smp.h"

#include "console.h"
#include "pm_timer.h"
#include "trampoline.h"

#define LAPIC_ID	      0x20
#define LAPIC_SVR	      0xf0
#define LAPIC_ICR_LOW	      0x300
#define LAPIC_ICR_HIGH	      0x310
#define LAPIC_SVR_ENABLE      0x100
#define ICR_INIT	      0x00004500 /* INIT, level assert, physical destination */
#define ICR_STARTUP	      0x00004600 /* start-up, level assert, vector in bits 7-0 */
#define ICR_DELIVERY_PENDING  0x1000
#define MSR_APIC_BASE	      0x1b
#define APIC_BASE_X2APIC      (1u << 10)
#define APIC_BASE_ENABLE      (1u << 11)
#define AP_ARRIVAL_TIMEOUT_MS 10000 /* generous: real-mode code is emulated, the host loaded */

extern void ap_entry(void);

static uint32_t lapic_base;
static volatile uint32_t ap_arrived;
static volatile uint8_t ap_seen[256];

static uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(lapic_base + reg);
}

static void lapic_write(uint32_t reg, uint32_t value)
{
	mmio_write32(lapic_base + reg, value);
}

void ap_main(void)
{
	uint32_t id = lapic_read(LAPIC_ID) >> 24;
	ap_seen[id & 0xff] = 1;
	__atomic_add_fetch(&ap_arrived, 1, __ATOMIC_SEQ_CST);
}

static bool icr_send(uint32_t apic_id, uint32_t command)
{
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, command);
	struct deadline d;
	deadline_start(&d, 100);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_DELIVERY_PENDING)
		if (deadline_passed(&d))
			return false;
	return true;
}

/* One AP: INIT, SIPI, SIPI; true once it marked itself. */
static bool start_ap(uint32_t apic_id, uint32_t trampoline, uint32_t *ms)
{
	uint32_t vector = trampoline >> 12;
	if (!icr_send(apic_id, ICR_INIT))
		return false;
	delay_us(10000);
	if (!icr_send(apic_id, ICR_STARTUP | vector))
		return false;
	delay_us(200);
	/* The second SIPI is ignored by an AP that left wait-for-SIPI (SDM 9.4.4.1). */
	if (!icr_send(apic_id, ICR_STARTUP | vector))
		return false;
	struct deadline d;
	deadline_start(&d, AP_ARRIVAL_TIMEOUT_MS);
	while (!ap_seen[apic_id & 0xff] && !deadline_passed(&d))
		cpu_relax();
	*ms = deadline_elapsed_ms(&d);
	return ap_seen[apic_id & 0xff];
}

void smp_check(const struct acpi_info *acpi, uint32_t trampoline, unsigned expected_cpus)
{
	uint64_t apic_base = rdmsr(MSR_APIC_BASE);
	lapic_base = acpi->lapic_address ? acpi->lapic_address : (uint32_t)apic_base & ~0xfffu;
	if (!(apic_base & APIC_BASE_ENABLE) || (apic_base & APIC_BASE_X2APIC)) {
		check_fail("smp_ap_startup",
			   "IA32_APIC_BASE 0x%llx: want the xAPIC enabled, x2APIC off",
			   (unsigned long long)apic_base);
		return;
	}
	if (!trampoline) {
		check_fail("smp_ap_startup",
			   "no available 4 KiB page below 640 KiB for the trampoline");
		return;
	}
	uint32_t bsp = lapic_read(LAPIC_ID) >> 24;
	lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | LAPIC_SVR_ENABLE);
	trampoline_set_target(trampoline, ap_entry);
	char started[96] = "", missing[64] = "";
	unsigned aps = 0, running = 1;
	bool bsp_listed = false;
	for (unsigned i = 0; i < acpi->cpu_count; i++) {
		uint32_t id = acpi->apic_ids[i], ms = 0;
		bsp_listed |= id == bsp;
		if (id == bsp || id > 0xff)
			continue;
		aps++;
		if (start_ap(id, trampoline, &ms)) {
			running++;
			text_append(started, sizeof(started), " %u (%u ms)", id, ms);
		} else {
			text_append(missing, sizeof(missing), " %u", id);
		}
	}
	check(bsp_listed && running == expected_cpus && !missing[0] && ap_arrived == aps,
	      "smp_ap_startup",
	      "BSP apic id %u (%s the MADT), trampoline at 0x%x; %u of %u APs ran after "
	      "INIT-SIPI-SIPI (apic id, "
	      "ms after the second SIPI):%s%s%s; %u cpus running, want %u",
	      bsp, bsp_listed ? "in" : "NOT IN", trampoline, running - 1, aps,
	      started[0] ? started : " none", missing[0] ? "; never ran:" : "", missing, running,
	      expected_cpus);
}
