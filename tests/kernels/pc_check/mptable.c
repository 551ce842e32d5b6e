/* SPDX-License-Identifier: MIT */
/*
 * MP spec 1.4 4.1: the floating pointer "_MP_" is 16-byte aligned in the first KiB of the EBDA,
 * the last KiB of base memory, or the BIOS ROM 0xF0000-0xFFFFF; its 16 bytes sum to 0. It
 * points to the configuration table "PCMP" (4.2), whose base table sums to 0, followed by
 * entries (4.3): processor (type 0, 20 bytes), bus (1), I/O APIC (2), I/O interrupt (3) and
 * local interrupt (4) (8 bytes each).
 */
#include "mptable.h"

#include "console.h"

#define BDA_EBDA_SEGMENT 0x40e
#define BDA_BASE_MEM_KIB 0x413
#define MP_PROCESSOR	 0
#define MP_BUS		 1
#define MP_IOAPIC	 2
#define MP_CPU_ENABLED	 0x1
#define MP_CPU_BOOT	 0x2
#define MP_MAX_TABLE	 65535

static uint32_t find_in(uint32_t start, uint32_t end)
{
	for (uint32_t at = start; at + 16 <= end; at += 16) {
		const uint8_t *p = phys(at);
		if (!memcmp(p, "_MP_", 4) && p[8] == 1 && byte_sum(p, 16) == 0)
			return at;
	}
	return 0;
}

static const char *find_floating_pointer(struct mp_info *mp)
{
	uint32_t ebda = (uint32_t)get16(phys(BDA_EBDA_SEGMENT)) << 4;
	uint32_t base_end = (uint32_t)get16(phys(BDA_BASE_MEM_KIB)) * 1024;
	if (ebda && ebda < 0xa0000 && (mp->floating_pointer = find_in(ebda, ebda + 1024)))
		return "EBDA";
	if (base_end >= 1024 && base_end <= 0xa0000 &&
	    (mp->floating_pointer = find_in(base_end - 1024, base_end)))
		return "last KiB of base memory";
	if ((mp->floating_pointer = find_in(0xf0000, 0x100000)))
		return "BIOS ROM area";
	return NULL;
}

static bool in_list(uint32_t id, const uint32_t *ids, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		if (ids[i] == id)
			return true;
	return false;
}

void mptable_check(struct mp_info *mp, unsigned expected_cpus, const uint32_t *madt_ids,
		   unsigned madt_count)
{
	memset(mp, 0, sizeof(*mp));
	const char *where = find_floating_pointer(mp);
	if (!where) {
		check_fail("mp_table",
			   "no MP floating pointer with a right checksum in the EBDA, the "
			   "last KiB of base memory or 0xf0000-0xfffff");
		return;
	}
	const uint8_t *fp = phys(mp->floating_pointer);
	uint32_t table = get32(fp + 4);
	if (fp[11]) {
		check_fail("mp_table",
			   "floating pointer at 0x%x names default configuration %u, no table",
			   mp->floating_pointer, fp[11]);
		return;
	}
	const uint8_t *t = phys(table);
	uint32_t length = table ? get16(t + 4) : 0;
	if (!table || table >= 0xfffff000u || memcmp(t, "PCMP", 4) || length < 44 ||
	    byte_sum(t, length) != 0) {
		check_fail("mp_table", "floating pointer at 0x%x (%s): no valid PCMP table at 0x%x",
			   mp->floating_pointer, where, table);
		return;
	}
	mp->config_table = table;
	mp->config_length = length;
	unsigned entries = get16(t + 34), cpus = 0, boot_cpus = 0, buses = 0, ioapics = 0;
	unsigned not_in_madt = 0;
	char ids[64] = "";
	uint32_t at = 44;
	for (unsigned i = 0; i < entries && at < length; i++) {
		uint8_t type = t[at];
		uint32_t size = type == MP_PROCESSOR ? 20 : 8;
		if (type > 4 || at + size > length)
			break;
		if (type == MP_PROCESSOR && (t[at + 3] & MP_CPU_ENABLED)) {
			cpus++;
			boot_cpus += (t[at + 3] & MP_CPU_BOOT) != 0;
			not_in_madt += !in_list(t[at + 1], madt_ids, madt_count);
			text_append(ids, sizeof(ids), " %u", t[at + 1]);
		}
		buses += type == MP_BUS;
		ioapics += type == MP_IOAPIC;
		at += size;
	}
	check(
	    cpus == expected_cpus && boot_cpus == 1 && buses > 0 && ioapics > 0 && !not_in_madt,
	    "mp_table",
	    "floating pointer at 0x%x (%s), spec 1.%u, table at 0x%x (%u bytes, %u entries, "
	    "checksums "
	    "right): %u enabled cpus (apic ids%s; %u boot, %u not in the MADT), want %u; %u buses, "
	    "%u IOAPIC",
	    mp->floating_pointer, where, fp[9], table, length, entries, cpus, ids, boot_cpus,
	    not_in_madt, expected_cpus, buses, ioapics);
}
