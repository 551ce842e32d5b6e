/* SPDX-License-Identifier: MIT */
/*
 * Sleeping states through the fixed hardware (ACPI 6.5 4.8.3, 7.4.2, 16.1): SLP_TYP from the
 * DSDT's \_Sx package into PM1a_CNT, then SLP_EN. S3 keeps memory; the firmware (SeaBIOS under
 * QEMU, minivmm itself) starts the boot processor in real mode at the FACS waking vector
 * (5.2.10), here the real-mode trampoline, which enters s3_resumed() on a fresh stack with the
 * state kept in the trampoline page.
 * The wake event is the RTC alarm: PM1_EN.RTC_EN and the alarm interrupt (4.8.2.4 RTC wake).
 */
#include "sleep.h"

#include "console.h"
#include "pm_timer.h"
#include "rtc.h"
#include "trampoline.h"

#define PM1_STS_WAK	 (1u << 15)
#define PM1_STS_RTC	 (1u << 10)
#define PM1_STS_ALL	 0x8731u /* WAK, RTC, SLPBTN, PWRBTN, GBL, BM, TMR: write 1 to clear */
#define PM1_EN_RTC	 (1u << 10)
#define PM1_CNT_SCI_EN	 (1u << 0)
#define PM1_CNT_SLP_TYP	 (7u << 10)
#define PM1_CNT_SLP_EN	 (1u << 13)
#define FACS_WAKING	 12
#define FACS_X_WAKING	 24
#define FACS_VERSION	 32
#define PATTERN_ADDRESS	 0x400000u
#define PATTERN_BYTES	 0x10000u
#define S3_ALARM_SECONDS 3
#define S3_ENTRY_TIMEOUT 10000 /* ms from SLP_EN to the vCPU stopping, at most */
#define S5_TIMEOUT	 5000
#define ISA_DEBUG_EXIT	 0xf4	     /* QEMU's isa-debug-exit; minivmm serves it too */
#define S3_STATE_MAGIC	 0x53335354u /* "S3ST" */
#define IMAGE_CANARY	 0x1eadc0deu

void s3_resume_entry(void); /* boot.S */

void acpi_mode_check(const struct acpi_info *acpi)
{
	if (!acpi->pm1a_cnt_port) {
		check_fail("acpi_mode", "no PM1a_CNT port from the FADT");
		return;
	}
	if (inw(acpi->pm1a_cnt_port) & PM1_CNT_SCI_EN) {
		check_ok("acpi_mode", "SCI_EN already set: the machine is in ACPI mode");
		return;
	}
	if (!acpi->smi_cmd || !acpi->acpi_enable) {
		check_fail("acpi_mode", "SCI_EN clear and no SMI_CMD/ACPI_ENABLE to set it");
		return;
	}
	outb((uint16_t)acpi->smi_cmd, acpi->acpi_enable);
	struct deadline d;
	deadline_start(&d, 3000);
	while (!(inw(acpi->pm1a_cnt_port) & PM1_CNT_SCI_EN) && !deadline_passed(&d))
		cpu_relax();
	check(inw(acpi->pm1a_cnt_port) & PM1_CNT_SCI_EN, "acpi_mode",
	      "SCI_EN after writing ACPI_ENABLE 0x%x to SMI_CMD 0x%x", acpi->acpi_enable,
	      acpi->smi_cmd);
}

static uint32_t pattern_next(uint32_t x)
{
	x ^= x << 13;
	x ^= x >> 17;
	return x ^ (x << 5);
}

static void pattern_fill(uint32_t seed)
{
	volatile uint32_t *p = phys(PATTERN_ADDRESS);
	for (uint32_t i = 0; i < PATTERN_BYTES / 4; i++)
		p[i] = seed = pattern_next(seed);
}

static uint32_t pattern_mismatches(uint32_t seed)
{
	volatile uint32_t *p = phys(PATTERN_ADDRESS);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < PATTERN_BYTES / 4; i++)
		bad += p[i] != (seed = pattern_next(seed));
	return bad;
}

static void write_sleep_type(uint16_t port, int type)
{
	uint16_t cnt = (uint16_t)(inw(port) & ~(PM1_CNT_SLP_TYP | PM1_CNT_SLP_EN));
	cnt |= (uint16_t)(type << 10);
	outw(port, cnt); /* SLP_TYP first, then SLP_EN, as Linux's acpi_hw_legacy_sleep does */
	outw(port, (uint16_t)(cnt | PM1_CNT_SLP_EN));
}

/* What the resume needs, in the trampoline page: the kernel's own memory may have been
 * written again by the loader (QEMU's -kernel does so at its wake-up reset). */
struct s3_state {
	uint32_t magic;
	struct check_counts counts;
	struct acpi_info acpi;
	uint32_t seed, rtc_before, trampoline;
};
_Static_assert(sizeof(struct s3_state) <= TRAMPOLINE_STATE_MAX, "S3 state too large");

/* In .bss: set before the sleep, so it reads 0 after a resume only if the image was reloaded. */
static volatile uint32_t image_canary;

void s3_check(const struct acpi_info *acpi, const struct boot_info *boot, uint32_t trampoline)
{
	if (acpi->slp_typ_s3 < 0) {
		check_skip("s3_resume", "the DSDT offers no \\_S3");
		return;
	}
	if (!acpi->facs || !acpi->pm1a_cnt_port || !acpi->pm1a_evt_port || !trampoline ||
	    !boot_map_covers(boot, PATTERN_ADDRESS, PATTERN_BYTES, 1)) {
		check_fail("s3_resume",
			   "needs a FACS, PM1a ports, a trampoline page and available memory "
			   "at 0x%x",
			   PATTERN_ADDRESS);
		return;
	}
	struct s3_state *state = trampoline_state(trampoline);
	uint16_t sts = acpi->pm1a_evt_port, en = (uint16_t)(sts + acpi->pm1_evt_len / 2);
	uint8_t *facs = phys(acpi->facs);
	state->seed = (uint32_t)rdtsc() | 1;
	state->acpi = *acpi;
	state->trampoline = trampoline;
	pattern_fill(state->seed);
	memcpy(facs + FACS_WAKING, &trampoline, 4);
	if (facs[FACS_VERSION] >= 1) /* the 64-bit vector would take precedence (5.2.10) */
		memset(facs + FACS_X_WAKING, 0, 8);
	trampoline_set_target(trampoline, s3_resume_entry);
	image_canary = IMAGE_CANARY;
	outw(sts, PM1_STS_ALL);
	outw(en, PM1_EN_RTC);
	if (!rtc_time_of_day(&state->rtc_before) || !rtc_alarm_in(S3_ALARM_SECONDS)) {
		check_fail("s3_resume",
			   "the RTC time is unreadable (UIP never clears): no alarm to wake");
		return;
	}
	state->counts = check_counts_get();
	state->magic = S3_STATE_MAGIC;
	write_sleep_type(acpi->pm1a_cnt_port, acpi->slp_typ_s3);
	struct deadline d;
	deadline_start(&d, S3_ENTRY_TIMEOUT);
	while (!deadline_passed(&d))
		cpu_relax();
	state->magic = 0;
	trampoline_set_target(trampoline, NULL);
	rtc_alarm_off();
	check_fail("s3_resume", "still running %u ms after SLP_TYP %d | SLP_EN: S3 not entered",
		   deadline_elapsed_ms(&d), acpi->slp_typ_s3);
}

/* boot.S s3_resume_entry: the boot processor back from S3, on a fresh stack. */
void s3_resumed(uint32_t trampoline) __attribute__((noreturn));
void s3_resumed(uint32_t trampoline)
{
	struct s3_state *state = trampoline_state(trampoline);
	bool image_kept = image_canary == IMAGE_CANARY;
	if (state->magic != S3_STATE_MAGIC) {
		kprintf("FAIL s3_resume the state kept in the trampoline page at 0x%x is gone\n",
			trampoline);
		outl(ISA_DEBUG_EXIT, 1);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	state->magic = 0;
	check_counts_set(&state->counts);
	const struct acpi_info *acpi = &state->acpi;
	pm_timer_init(acpi->pm_tmr_port, acpi->pm_tmr_32bit);
	uint16_t sts = acpi->pm1a_evt_port, en = (uint16_t)(sts + acpi->pm1_evt_len / 2);
	uint16_t status = inw(sts);
	outw(sts, PM1_STS_ALL);
	outw(en, 0);
	uint8_t reg_c = rtc_alarm_off();
	memset((uint8_t *)phys(acpi->facs) + FACS_WAKING, 0, 4);
	trampoline_set_target(trampoline, NULL);
	uint32_t after = state->rtc_before, bad = pattern_mismatches(state->seed);
	rtc_time_of_day(&after);
	check(bad == 0, "s3_resume",
	      "back at the FACS waking vector 0x%x after about %u s asleep (RTC); %u of %u words "
	      "of the "
	      "pattern at 0x%x changed",
	      trampoline, (after + 86400 - state->rtc_before) % 86400, bad, PATTERN_BYTES / 4,
	      PATTERN_ADDRESS);
	check((status & PM1_STS_WAK) && (status & PM1_STS_RTC), "s3_wake_status",
	      "PM1_STS 0x%x after the resume: WAK_STS %u, RTC_STS %u (want both); RTC register C "
	      "0x%x",
	      status, !!(status & PM1_STS_WAK), !!(status & PM1_STS_RTC), reg_c);
	if (image_kept)
		check_ok("s3_kernel_image_kept",
			 "the kernel's own memory is as it was before the sleep");
	else if (!memcmp(acpi->oem_id, "BOCHS ", 6))
		check_skip(
		    "s3_kernel_image_kept",
		    "QEMU (ACPI OEM 'BOCHS') writes a -kernel ELF's segments again at the wake-up "
		    "reset (its ROM blobs), so the kernel's own memory reads as loaded");
	else
		check_fail("s3_kernel_image_kept",
			   "the kernel's .bss reads as freshly loaded after the resume");
	pc_check_finish(acpi);
}

void s5_power_off(const struct acpi_info *acpi)
{
	if (acpi->slp_typ_s5 < 0 || !acpi->pm1a_cnt_port) {
		kprintf("FAIL s5_power_off no \\_S5 or no PM1a_CNT: cannot power off\n");
	} else {
		kprintf(
		    "pc_check: powering off through S5 (SLP_TYP %d | SLP_EN to PM1a_CNT 0x%x)\n",
		    acpi->slp_typ_s5, acpi->pm1a_cnt_port);
		write_sleep_type(acpi->pm1a_cnt_port, acpi->slp_typ_s5);
		struct deadline d;
		deadline_start(&d, S5_TIMEOUT);
		while (!deadline_passed(&d))
			cpu_relax();
		kprintf("FAIL s5_power_off still running %u ms after SLP_EN\n",
			deadline_elapsed_ms(&d));
	}
	outl(ISA_DEBUG_EXIT, 1); /* status 3, so the run ends now rather than at its timeout */
}
