/* SPDX-License-Identifier: MIT */
/*
 * The CMOS RTC in a snapshot (docs/snapshot.md): the index, the 128 RAM bytes (registers A-D,
 * the alarms, the plain RAM) and the model's accounting as fixed-width bytes, and back. The
 * layout is part of the file format, so it sits apart from the register model (rtc_cmos.c),
 * which can change without changing it. The caller holds rtc->lock (rtc_cmos_timer.c's hooks).
 */
#include <errno.h>
#include <string.h>

#include "devices/rtc_cmos_internal.h"

/* The saved state (docs/snapshot.md). The clock itself is the host's UTC: after a restore the
 * time registers show the present time, and the flags of the time the VM was saved are
 * accounted at the first access, as for any time that passed. */
struct rtc_cmos_saved {
	uint8_t index, reserved[7];
	uint8_t ram[RTC_CMOS_RAM_SIZE];
	int64_t accounted_cycle, frozen_second;
};
_Static_assert(sizeof(struct rtc_cmos_saved) == 152, "the saved layout is part of the format");

size_t rtc_cmos_save(struct rtc_cmos *rtc, void *buf)
{
	struct rtc_cmos_saved s = {.index = rtc->index,
				   .accounted_cycle = rtc->accounted_cycle,
				   .frozen_second = rtc->frozen_second};
	memcpy(s.ram, rtc->ram, sizeof s.ram);
	memcpy(buf, &s, sizeof s);
	return sizeof s;
}

int rtc_cmos_load(struct rtc_cmos *rtc, const void *buf, size_t len)
{
	struct rtc_cmos_saved s;
	if (len != sizeof s)
		return -EINVAL;
	memcpy(&s, buf, sizeof s);
	if (s.index > RTC_CMOS_INDEX_MASK || s.accounted_cycle < 0)
		return -EINVAL;
	rtc->index = s.index;
	memcpy(rtc->ram, s.ram, sizeof s.ram);
	rtc->accounted_cycle = s.accounted_cycle;
	rtc->frozen_second = s.frozen_second;
	/* The line and the timer thread as the registers say; the time since the save is accounted
	 * at the next access, as any time that passes. */
	rtc_cmos_update_irq(rtc);
	rtc_cmos_reschedule(rtc, rtc_cmos_ns_to_cycles(rtc_cmos_now(rtc)));
	return 0;
}
