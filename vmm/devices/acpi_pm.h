/* SPDX-License-Identifier: MIT */
/*
 * The ACPI fixed-hardware register block (ACPI 6.5 section 4.8) at the ports of
 * platform/pc_layout.h: the PM1a event block (PM1_STS, PM1_EN), the PM1a control block (PM1_CNT)
 * and the power management timer. One PM1a block, no PM1b, no GPE blocks, as the FADT says.
 *
 * acpi_pm.c is the register model (these functions, driven by tests with any clock) and the
 * device module that puts it on the I/O bus. A write of SLP_EN with SLP_TYP = S5 pulls the
 * handle's power line (device_host.h); SLP_TYP = S3 asks it to suspend the VM (machine/sleep.c),
 * with PM1_EN.RTC_EN saying whether the RTC alarm may wake it.
 */
#ifndef MINIVMM_ACPI_PM_H
#define MINIVMM_ACPI_PM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/device_host.h"
#include "platform/pc_layout.h"

/* PM1_STS / PM1_EN bits (ACPI 6.5 tables 4.16 and 4.17). */
#define ACPI_PM1_TMR	(1u << 0)  /* TMR_STS / TMR_EN: the timer's bit 31 toggled */
#define ACPI_PM1_BM	(1u << 4)  /* BM_STS: bus master activity (never set here) */
#define ACPI_PM1_GBL	(1u << 5)  /* GBL_STS / GBL_EN: BIOS lock release (no BIOS here) */
#define ACPI_PM1_PWRBTN (1u << 8)  /* PWRBTN_STS / PWRBTN_EN */
#define ACPI_PM1_SLPBTN (1u << 9)  /* SLPBTN_STS / SLPBTN_EN */
#define ACPI_PM1_RTC	(1u << 10) /* RTC_STS / RTC_EN: the RTC alarm (a wake event) */
#define ACPI_PM1_WAK	(1u << 15) /* WAK_STS: the system woke from a sleeping state */
/* PM1_CNT bits (ACPI 6.5 table 4.18). */
#define ACPI_PM1_CNT_SCI_EN	   (1u << 0)
#define ACPI_PM1_CNT_BM_RLD	   (1u << 1)
#define ACPI_PM1_CNT_GBL_RLS	   (1u << 2) /* write-only */
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP_MASK  (7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN	   (1u << 13) /* write-only: enter the SLP_TYP state */

/* Register offsets inside the block, from the ports of platform/pc_layout.h (PM1_EVT_LEN 4:
 * PM1_STS in its first half, PM1_EN in its second, ACPI 6.5 4.8.3.1). */
#define ACPI_PM_REG_STS	  (PC_ACPI_PM1A_EVT_BLK - PC_ACPI_PM_BASE)
#define ACPI_PM_REG_EN	  (ACPI_PM_REG_STS + 2)
#define ACPI_PM_REG_CNT	  (PC_ACPI_PM1A_CNT_BLK - PC_ACPI_PM_BASE) /* PM1_CNT, 2 bytes */
#define ACPI_PM_REG_TMR	  (PC_ACPI_PM_TMR_BLK - PC_ACPI_PM_BASE)   /* PM_TMR, 4 bytes */
#define ACPI_PM_BLOCK_LEN (ACPI_PM_REG_TMR + 4)

/* Nanoseconds on a clock that never steps back (CLOCK_MONOTONIC unless a test gives its own). */
typedef int64_t (*acpi_pm_clock_fn)(void *ctx);

/* Its snapshot section (acpi_pm.c): 22 bytes, the timer's count (time, not state: a later
 * save of the same VM has a larger one) as 8 bytes at ACPI_PM_SNAPSHOT_TICKS. */
#define ACPI_PM_SNAPSHOT_LEN   22
#define ACPI_PM_SNAPSHOT_TICKS 6

struct acpi_pm {
	pthread_mutex_t lock; /* vCPU threads, and the sleep machinery's wake (machine/sleep.c) */
	uint16_t sts;	      /* PM1_STS but TMR_STS, which is computed from the timer */
	uint16_t en;
	uint16_t cnt; /* SCI_EN, BM_RLD, SLP_TYP as last written */
	acpi_pm_clock_fn clock;
	void *clock_ctx;
	int64_t origin_ns;	/* the clock when the VM was created: the timer's 0 */
	uint64_t last_ticks;	/* the highest count read: the timer never runs backwards */
	uint64_t tmr_sts_epoch; /* last_ticks >> 31 when TMR_STS was last cleared */
	struct irq_line sci;
	struct power_line power;
	bool sci_level;
};

/* clock NULL: CLOCK_MONOTONIC. The timer starts at 0 now; SCI_EN is set (there is no SMI
 * command port, so the platform is always in ACPI mode: FADT SMI_CMD = 0, ACPI 6.5 5.2.9). */
void acpi_pm_init(struct acpi_pm *pm, acpi_pm_clock_fn clock, void *clock_ctx,
		  const struct irq_line *sci, const struct power_line *power);
void acpi_pm_destroy(struct acpi_pm *pm);

/* The PM timer's 32-bit count now (ACPI 6.5 4.8.3.3): 3.579545 MHz since acpi_pm_init. */
uint32_t acpi_pm_timer(struct acpi_pm *pm);

/* One access of len (1-4) bytes at offset inside the block, as the bus delivers it. */
void acpi_pm_read(struct acpi_pm *pm, uint64_t offset, uint8_t *data, uint32_t len);
void acpi_pm_write(struct acpi_pm *pm, uint64_t offset, const uint8_t *data, uint32_t len);

/* The S3 wake (the sleep_request's woke, machine/sleep.c): WAK_STS, and RTC_STS for the RTC
 * alarm, then the SCI level. */
void acpi_pm_woke(void *dev, enum wake_source source);

/* A platform reset: status and enables cleared, SCI_EN set, the SCI lowered; the timer runs on
 * (a PC's PM timer is not reset by a warm reset either). */
void acpi_pm_reset(struct acpi_pm *pm);

#endif
