/* SPDX-License-Identifier: MIT */
/*
 * The ACPI PM1a event and control blocks and the PM timer (acpi_pm.h; ACPI 6.5 section 4.8).
 *
 * What is implemented, and what is not:
 * - PM1_STS: write 1 to clear. TMR_STS is set whenever the timer's most significant bit has
 *   toggled since the guest last cleared it (4.8.3.3), worked out when PM1_STS is read; RTC_STS
 *   is set by an RTC alarm that woke the VM from S3; WAK_STS by every wake (machine/sleep.c),
 *   before the guest runs again (so the sleeping OS's loop on WAK_STS never sees it).
 *   BM_STS, GBL_STS, PWRBTN_STS and SLPBTN_STS are never set: there is no bus master
 *   arbitration, no BIOS, no power or sleep button (the FADT says so with PWR_BUTTON and
 *   SLP_BUTTON).
 * - PM1_EN: read/write. The SCI (PC_ACPI_SCI_IRQ) is high while SCI_EN is set and a status bit
 *   is set with its enable; the level is re-evaluated at every access and at a wake, not by a
 *   timer, so a timer overflow raises no SCI by itself (TMR_EN is stored only: no guest needs
 *   the overflow interrupt, they read the counter).
 * - PM1_CNT: SCI_EN (set from power-on: no SMI command port, so always in ACPI mode), BM_RLD and
 *   SLP_TYP read back; GBL_RLS and SLP_EN are write-only. SLP_EN with SLP_TYP =
 *   PC_ACPI_SLP_TYP_S5 powers off; with PC_ACPI_SLP_TYP_S3 suspends to RAM; other sleep types
 *   are not offered by the DSDT and are ignored.
 * - PM_TMR: 3.579545 MHz since the VM was created, read from the host's CLOCK_MONOTONIC at each
 *   read (so it costs no thread and no exit when nobody reads it), 32 or 24 bits as
 *   PC_ACPI_PM_TMR_32BIT says, never running backwards. Writes are ignored.
 */
#include "devices/acpi_pm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/device_table.h"
#include "devices/devices.h"
#include "machine/bus.h"
#include "platform/pc_layout.h"
#include "util/monotonic_clock.h"

#define NS_PER_SECOND	 1000000000ull
#define ACPI_PM_TMR_BITS (PC_ACPI_PM_TMR_32BIT ? 32 : 24)
#define ACPI_PM_TMR_MASK ((1ull << ACPI_PM_TMR_BITS) - 1)
/* The status bits a guest can clear (write 1); TMR_STS is kept apart (tmr_sts_epoch). */
#define ACPI_PM1_STS_STORED                                                                        \
	(ACPI_PM1_BM | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_SLPBTN | ACPI_PM1_RTC |           \
	 ACPI_PM1_WAK)
#define ACPI_PM1_EN_BITS                                                                           \
	(ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_SLPBTN | ACPI_PM1_RTC)
#define ACPI_PM1_CNT_STORED (ACPI_PM1_CNT_SCI_EN | ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP_MASK)

static int64_t host_clock_ns(void *ctx)
{
	(void)ctx;
	return (int64_t)monotonic_ns();
}

void acpi_pm_init(struct acpi_pm *pm, acpi_pm_clock_fn clock, void *clock_ctx,
		  const struct irq_line *sci, const struct power_line *power)
{
	*pm = (struct acpi_pm){.clock = clock ? clock : host_clock_ns, .clock_ctx = clock_ctx};
	pthread_mutex_init(&pm->lock, NULL);
	if (sci)
		pm->sci = *sci;
	if (power)
		pm->power = *power;
	pm->origin_ns = pm->clock(pm->clock_ctx);
	pm->cnt = ACPI_PM1_CNT_SCI_EN;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	pthread_mutex_destroy(&pm->lock);
}

/* Timer ticks since the origin, never fewer than the last read. floor(ns * f / 10^9) computed as
 * whole seconds and the rest, so nothing overflows (ns * f would pass 2^64 after 85 minutes). */
static uint64_t elapsed_ticks(struct acpi_pm *pm)
{
	int64_t now = pm->clock(pm->clock_ctx);
	uint64_t ns = now > pm->origin_ns ? (uint64_t)now - (uint64_t)pm->origin_ns : 0;
	uint64_t ticks = ns / NS_PER_SECOND * PC_ACPI_PM_TMR_HZ +
			 ns % NS_PER_SECOND * PC_ACPI_PM_TMR_HZ / NS_PER_SECOND;
	if (ticks > pm->last_ticks)
		pm->last_ticks = ticks;
	return pm->last_ticks;
}

static unsigned status_locked(struct acpi_pm *pm)
{
	uint64_t epoch = elapsed_ticks(pm) >> (ACPI_PM_TMR_BITS - 1);
	return pm->sts | (epoch != pm->tmr_sts_epoch ? ACPI_PM1_TMR : 0);
}

static void update_sci_locked(struct acpi_pm *pm)
{
	bool level = (pm->cnt & ACPI_PM1_CNT_SCI_EN) && (status_locked(pm) & pm->en);
	if (level != pm->sci_level) {
		pm->sci_level = level;
		irq_line_set(&pm->sci, level);
	}
}

uint32_t acpi_pm_timer(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	uint32_t value = (uint32_t)(elapsed_ticks(pm) & ACPI_PM_TMR_MASK);
	pthread_mutex_unlock(&pm->lock);
	return value;
}

static void put16(uint8_t *at, unsigned value)
{
	at[0] = (uint8_t)value;
	at[1] = (uint8_t)(value >> 8);
}

void acpi_pm_read(struct acpi_pm *pm, uint64_t offset, uint8_t *data, uint32_t len)
{
	pthread_mutex_lock(&pm->lock);
	uint8_t block[ACPI_PM_BLOCK_LEN] = {0};
	/* Only what the access touches: each timer read is a clock read. */
	if (offset < ACPI_PM_REG_STS + 2u && offset + len > ACPI_PM_REG_STS)
		put16(block + ACPI_PM_REG_STS, status_locked(pm));
	put16(block + ACPI_PM_REG_EN, pm->en);
	put16(block + ACPI_PM_REG_CNT, pm->cnt);
	if (offset + len > ACPI_PM_REG_TMR && offset < ACPI_PM_REG_TMR + 4u) {
		uint32_t tmr = (uint32_t)(elapsed_ticks(pm) & ACPI_PM_TMR_MASK);
		for (unsigned i = 0; i < 4; i++)
			block[ACPI_PM_REG_TMR + i] = (uint8_t)(tmr >> (8 * i));
	}
	for (uint32_t i = 0; i < len; i++)
		data[i] = offset + i < ACPI_PM_BLOCK_LEN ? block[offset + i] : 0xff;
	pthread_mutex_unlock(&pm->lock);
}

/* The register bytes [offset, offset + len) overlapping the 2-byte register at reg: the bits the
 * access writes (mask) and their values. */
static unsigned written_bits(uint64_t offset, const uint8_t *data, uint32_t len, unsigned reg,
			     unsigned *mask)
{
	unsigned value = 0;
	*mask = 0;
	for (uint32_t i = 0; i < len; i++) {
		uint64_t at = offset + i;
		if (at == reg || at == reg + 1u) {
			unsigned shift = 8 * (unsigned)(at - reg);
			value |= (unsigned)data[i] << shift;
			*mask |= 0xffu << shift;
		}
	}
	return value;
}

void acpi_pm_woke(void *dev, enum wake_source source)
{
	struct acpi_pm *pm = dev;
	pthread_mutex_lock(&pm->lock);
	pm->sts |= ACPI_PM1_WAK | (source == WAKE_RTC_ALARM ? ACPI_PM1_RTC : 0);
	update_sci_locked(pm);
	pthread_mutex_unlock(&pm->lock);
}

void acpi_pm_write(struct acpi_pm *pm, uint64_t offset, const uint8_t *data, uint32_t len)
{
	unsigned mask;
	pthread_mutex_lock(&pm->lock);
	unsigned sts = written_bits(offset, data, len, ACPI_PM_REG_STS, &mask) & mask;
	pm->sts &= (uint16_t) ~(sts & ACPI_PM1_STS_STORED);
	if (sts & ACPI_PM1_TMR)
		pm->tmr_sts_epoch = elapsed_ticks(pm) >> (ACPI_PM_TMR_BITS - 1);
	unsigned en = written_bits(offset, data, len, ACPI_PM_REG_EN, &mask);
	pm->en = (uint16_t)(((pm->en & ~mask) | (en & mask)) & ACPI_PM1_EN_BITS);
	unsigned cnt = written_bits(offset, data, len, ACPI_PM_REG_CNT, &mask);
	pm->cnt = (uint16_t)(((pm->cnt & ~mask) | (cnt & mask)) & ACPI_PM1_CNT_STORED);
	update_sci_locked(pm);
	bool sleep = (cnt & mask & ACPI_PM1_CNT_SLP_EN) != 0;
	unsigned slp_typ = (pm->cnt & ACPI_PM1_CNT_SLP_TYP_MASK) >> ACPI_PM1_CNT_SLP_TYP_SHIFT;
	const struct sleep_request request = {
	    .rtc_alarm_wakes = (pm->en & ACPI_PM1_RTC) != 0, .woke = acpi_pm_woke, .dev = pm};
	pthread_mutex_unlock(&pm->lock);
	/* Outside the lock: the machine's end may call back (a wake sets WAK_STS). */
	if (sleep && slp_typ == PC_ACPI_SLP_TYP_S5)
		power_line_off(&pm->power);
	if (sleep && slp_typ == PC_ACPI_SLP_TYP_S3)
		power_line_suspend(&pm->power, &request);
}

void acpi_pm_reset(struct acpi_pm *pm)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts = 0;
	pm->en = 0;
	pm->cnt = ACPI_PM1_CNT_SCI_EN;
	pm->tmr_sts_epoch = elapsed_ticks(pm) >> (ACPI_PM_TMR_BITS - 1);
	update_sci_locked(pm);
	pthread_mutex_unlock(&pm->lock);
}

/* Snapshot (docs/snapshot.md): PM1_STS, PM1_EN, PM1_CNT (2 bytes each), the timer's ticks and
 * TMR_STS's epoch (8 bytes each). The timer goes on from its saved count, as the guest's TSC
 * does: the time the VM spent in the file does not exist for it. */
/* A count no VM reaches (about 160 years): keeps the conversion below from overflowing. */
#define ACPI_PM_TICKS_MAX (160ull * 365 * 86400 * PC_ACPI_PM_TMR_HZ)

static size_t acpi_pm_save(void *state, void *buf)
{
	struct acpi_pm *pm = state;
	uint8_t *out = buf;
	pthread_mutex_lock(&pm->lock);
	uint64_t ticks = elapsed_ticks(pm);
	memcpy(out, &pm->sts, 2);
	memcpy(out + 2, &pm->en, 2);
	memcpy(out + 4, &pm->cnt, 2);
	memcpy(out + ACPI_PM_SNAPSHOT_TICKS, &ticks, 8);
	memcpy(out + 14, &pm->tmr_sts_epoch, 8);
	pthread_mutex_unlock(&pm->lock);
	return ACPI_PM_SNAPSHOT_LEN;
}

static int acpi_pm_load(void *state, const void *buf, size_t len)
{
	struct acpi_pm *pm = state;
	const uint8_t *in = buf;
	uint16_t sts, en, cnt;
	uint64_t ticks, epoch;
	if (len != ACPI_PM_SNAPSHOT_LEN)
		return -EINVAL;
	memcpy(&sts, in, 2);
	memcpy(&en, in + 2, 2);
	memcpy(&cnt, in + 4, 2);
	memcpy(&ticks, in + ACPI_PM_SNAPSHOT_TICKS, 8);
	memcpy(&epoch, in + 14, 8);
	if ((sts & ~ACPI_PM1_STS_STORED) || (en & ~ACPI_PM1_EN_BITS) ||
	    (cnt & ~ACPI_PM1_CNT_STORED) || ticks > ACPI_PM_TICKS_MAX ||
	    epoch > ticks >> (ACPI_PM_TMR_BITS - 1))
		return -EINVAL;
	/* The origin that makes elapsed_ticks() start at ticks now: ticks back into ns, as whole
	 * seconds and the rest (bounded above, so neither product overflows). */
	uint64_t ns =
	    ticks / PC_ACPI_PM_TMR_HZ * NS_PER_SECOND +
	    (ticks % PC_ACPI_PM_TMR_HZ * NS_PER_SECOND + PC_ACPI_PM_TMR_HZ - 1) / PC_ACPI_PM_TMR_HZ;
	pthread_mutex_lock(&pm->lock);
	pm->sts = sts;
	pm->en = en;
	pm->cnt = cnt;
	pm->last_ticks = ticks;
	pm->tmr_sts_epoch = epoch;
	pm->origin_ns = pm->clock(pm->clock_ctx) - (int64_t)ns;
	update_sci_locked(pm);
	pthread_mutex_unlock(&pm->lock);
	return 0;
}

static void acpi_pm_bus_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	acpi_pm_read(opaque, offset, data, len);
}

static void acpi_pm_bus_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	acpi_pm_write(opaque, offset, data, len);
}

static void acpi_pm_free(void *state)
{
	acpi_pm_destroy(state);
	free(state);
}

static void acpi_pm_reset_hook(void *state)
{
	acpi_pm_reset(state);
}

static const struct bus_device_ops acpi_pm_ops = {.read = acpi_pm_bus_read,
						  .write = acpi_pm_bus_write};

static int acpi_pm_attach(const struct device_host *host, struct vmm_error *err)
{
	struct acpi_pm *pm = malloc(sizeof *pm);
	if (!pm)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES, "out of memory");
	struct irq_line sci = device_host_irq_line(host, PC_ACPI_SCI_IRQ);
	acpi_pm_init(pm, NULL, NULL, &sci, &host->power);
	int ret =
	    device_table_add(host->devices, "acpi-pm", pm, acpi_pm_free, acpi_pm_reset_hook, err);
	if (ret) {
		acpi_pm_free(pm);
		return ret;
	}
	device_table_set_snapshot(host->devices, pm, acpi_pm_save, acpi_pm_load);
	device_table_set_snapshot_clock(host->devices, pm, ACPI_PM_SNAPSHOT_TICKS);
	ret = bus_register(host->pio_bus, PC_ACPI_PM_BASE, ACPI_PM_BLOCK_LEN, "acpi-pm",
			   &acpi_pm_ops, pm);
	if (ret)
		return vmm_error_set(err, ret, VMM_EXIT_INTERNAL,
				     "cannot register the ACPI PM block at ports 0x%x-0x%x",
				     PC_ACPI_PM_BASE, PC_ACPI_PM_BASE + ACPI_PM_BLOCK_LEN - 1);
	return 0;
}

const struct device_module acpi_pm_module = {"acpi-pm", acpi_pm_attach};
