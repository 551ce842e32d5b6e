/* SPDX-License-Identifier: MIT */
#include "fw_walk.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define KIB		   1024u
#define BIOS_AREA_BEGIN	   0xe0000u
#define BIOS_AREA_END	   0x100000u
#define MP_ROM_BEGIN	   0xf0000u
#define SDT_HEADER	   36u
#define MAX_TABLE_LENGTH   (64u * KIB) /* far more than any table here; bounds a bad length */
#define RSDP_V1_LENGTH	   20u
#define RSDP_MIN_V2_LENGTH 36u
#define FACS_MIN_LENGTH	   64u
#define MP_HEADER	   44u

struct walker {
	const uint8_t *mem;
	uint64_t size;
	struct fw_walk *w;
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static int fail(struct walker *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->w->error, sizeof k->w->error, fmt, ap);
	va_end(ap);
	return -1;
}

/* [gpa, gpa + len) inside memory. */
static bool in_memory(const struct walker *k, uint64_t gpa, uint64_t len)
{
	return gpa <= k->size && len <= k->size - gpa;
}

static int record(struct walker *k, const char *name, uint64_t gpa, uint32_t length)
{
	if (k->w->count == FW_WALK_MAX_TABLES)
		return fail(k, "more than %d tables: a loop or a bloated list", FW_WALK_MAX_TABLES);
	for (size_t i = 0; i < k->w->count; i++)
		if (k->w->tables[i].gpa == gpa && strcmp(k->w->tables[i].name, name) == 0)
			return fail(k, "%s at 0x%llx is listed twice", name,
				    (unsigned long long)gpa);
	struct fw_table *t = &k->w->tables[k->w->count++];
	memcpy(t->name, name, 4);
	t->name[4] = '\0';
	t->gpa = gpa;
	t->length = length;
	t->bytes = k->mem + gpa;
	return 0;
}

/* A valid RSDP at gpa (5.2.5.3): signature, the 20-byte checksum, and for revision 2 and up a
 * Length that fits and the extended checksum. */
static bool rsdp_at(const struct walker *k, uint64_t gpa)
{
	if (!in_memory(k, gpa, RSDP_MIN_V2_LENGTH))
		return false;
	const uint8_t *p = k->mem + gpa;
	if (memcmp(p, "RSD PTR ", 8) != 0 || sum(p, RSDP_V1_LENGTH) != 0)
		return false;
	if (p[15] < 2)
		return true;
	uint32_t length = le32(p + 20);
	return length >= RSDP_MIN_V2_LENGTH && length <= KIB && in_memory(k, gpa, length) &&
	       sum(p, length) == 0;
}

static uint64_t search_rsdp(const struct walker *k, uint64_t begin, uint64_t end)
{
	for (uint64_t at = begin; at + RSDP_V1_LENGTH <= end; at += 16)
		if (rsdp_at(k, at))
			return at;
	return 0;
}

/* A table with the 5.2.6 header at gpa: bounded length, checksum zero, signature of four
 * printable characters (or want's). */
static int sdt_at(struct walker *k, uint64_t gpa, const char *want, uint32_t *length)
{
	if (!in_memory(k, gpa, SDT_HEADER))
		return fail(k, "table at 0x%llx lies outside the %llu bytes of memory",
			    (unsigned long long)gpa, (unsigned long long)k->size);
	const uint8_t *p = k->mem + gpa;
	for (int i = 0; i < 4; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return fail(k, "table at 0x%llx has no printable signature",
				    (unsigned long long)gpa);
	if (want && memcmp(p, want, 4) != 0)
		return fail(k, "table at 0x%llx is %.4s, not %s", (unsigned long long)gpa, p, want);
	*length = le32(p + 4);
	if (*length < SDT_HEADER || *length > MAX_TABLE_LENGTH || !in_memory(k, gpa, *length))
		return fail(k, "%.4s at 0x%llx has a bad length %u", p, (unsigned long long)gpa,
			    *length);
	if (sum(p, *length) != 0)
		return fail(k, "%.4s at 0x%llx: checksum wrong (sum 0x%02x)", p,
			    (unsigned long long)gpa, sum(p, *length));
	return 0;
}

static int add_sdt(struct walker *k, uint64_t gpa, const char *want, uint32_t *length)
{
	if (sdt_at(k, gpa, want, length))
		return -1;
	char name[5];
	memcpy(name, k->mem + gpa, 4);
	name[4] = '\0';
	return record(k, name, gpa, *length);
}

/* The 32-bit field and its X_ twin (5.2.9): the 64-bit one wins when present, and the two
 * must not disagree when both are set. */
static int fadt_pointer(struct walker *k, const uint8_t *fadt, uint32_t length, unsigned off32,
			unsigned off64, const char *what, uint64_t *out)
{
	uint64_t p32 = length >= off32 + 4 ? le32(fadt + off32) : 0;
	uint64_t p64 = length >= off64 + 8 ? le64(fadt + off64) : 0;
	if (p32 && p64 && p32 != p64)
		return fail(k, "FADT %s 0x%llx and X_%s 0x%llx disagree", what,
			    (unsigned long long)p32, what, (unsigned long long)p64);
	*out = p64 ? p64 : p32;
	if (!*out)
		return fail(k, "FADT gives no %s", what);
	return 0;
}

static int walk_fadt(struct walker *k, uint64_t gpa, uint32_t length)
{
	const uint8_t *fadt = k->mem + gpa;
	uint64_t facs, dsdt;
	if (fadt_pointer(k, fadt, length, 36, 132, "FIRMWARE_CTRL", &facs) ||
	    fadt_pointer(k, fadt, length, 40, 140, "DSDT", &dsdt))
		return -1;
	if (!in_memory(k, facs, FACS_MIN_LENGTH) || memcmp(k->mem + facs, "FACS", 4) != 0)
		return fail(k, "no FACS at 0x%llx", (unsigned long long)facs);
	uint32_t facs_length = le32(k->mem + facs + 4);
	if (facs % 64 || facs_length < FACS_MIN_LENGTH || !in_memory(k, facs, facs_length))
		return fail(k, "FACS at 0x%llx: not 64-byte aligned or bad length %u",
			    (unsigned long long)facs, facs_length);
	if (record(k, "FACS", facs, facs_length))
		return -1;
	uint32_t dsdt_length;
	return add_sdt(k, dsdt, "DSDT", &dsdt_length);
}

/* MADT (5.2.12): every entry's length inside the table; counts enabled local APICs. */
static int walk_madt(struct walker *k, const uint8_t *madt, uint32_t length)
{
	for (uint32_t at = 44; at < length;) {
		if (length - at < 2 || madt[at + 1] < 2 || madt[at + 1] > length - at)
			return fail(k, "MADT entry at offset %u has a bad length", at);
		if (madt[at] == 0 && madt[at + 1] >= 8 && (le32(madt + at + 4) & 1))
			k->w->madt_lapics++;
		if (madt[at] == 2)
			k->w->madt_overrides++;
		at += madt[at + 1];
	}
	return 0;
}

static int walk_acpi(struct walker *k, uint64_t rsdp)
{
	const uint8_t *p = k->mem + rsdp;
	if (record(k, "RSDP", rsdp, p[15] >= 2 ? le32(p + 20) : RSDP_V1_LENGTH))
		return -1;
	uint64_t rsdt = le32(p + 16), xsdt = p[15] >= 2 ? le64(p + 24) : 0;
	uint64_t listed[FW_WALK_MAX_TABLES];
	size_t n = 0;
	uint32_t length;
	if (rsdt) {
		if (add_sdt(k, rsdt, "RSDT", &length))
			return -1;
		for (uint32_t at = SDT_HEADER; at + 4 <= length && n < FW_WALK_MAX_TABLES; at += 4)
			listed[n++] = le32(k->mem + rsdt + at);
	}
	if (xsdt) {
		if (add_sdt(k, xsdt, "XSDT", &length))
			return -1;
		size_t entries = (length - SDT_HEADER) / 8;
		if (rsdt && entries != n)
			return fail(k, "XSDT lists %zu tables, RSDT %zu", entries, n);
		for (size_t i = 0; i < entries && i < FW_WALK_MAX_TABLES; i++) {
			uint64_t t = le64(k->mem + xsdt + SDT_HEADER + 8 * i);
			if (rsdt && t != listed[i])
				return fail(k, "XSDT entry %zu 0x%llx is not RSDT's 0x%llx", i,
					    (unsigned long long)t, (unsigned long long)listed[i]);
			listed[i] = t;
		}
		n = entries < FW_WALK_MAX_TABLES ? entries : FW_WALK_MAX_TABLES;
	}
	if (!rsdt && !xsdt)
		return fail(k, "RSDP points to neither an RSDT nor an XSDT");
	for (size_t i = 0; i < n; i++) {
		uint64_t t = listed[i];
		if (add_sdt(k, t, NULL, &length))
			return -1;
		const uint8_t *table = k->mem + t;
		if (memcmp(table, "FACP", 4) == 0 && walk_fadt(k, t, length))
			return -1;
		if (memcmp(table, "APIC", 4) == 0 && walk_madt(k, table, length))
			return -1;
	}
	if (!fw_walk_find(k->w, "FACP"))
		return fail(k, "no FADT in the XSDT/RSDT");
	return 0;
}

/* MP floating pointer at gpa (MP spec 4.1): signature, length 1, checksum. */
static bool mp_floating_at(const struct walker *k, uint64_t gpa)
{
	const uint8_t *p = k->mem + gpa;
	return in_memory(k, gpa, 16) && memcmp(p, "_MP_", 4) == 0 && p[8] == 1 && sum(p, 16) == 0;
}

static uint64_t search_mp(const struct walker *k, uint64_t begin, uint64_t end)
{
	for (uint64_t at = begin; at + 16 <= end; at += 16)
		if (mp_floating_at(k, at))
			return at;
	return 0;
}

/* The configuration table (4.2, 4.3): header, checksum over the base table, entries. */
static int walk_mp_config(struct walker *k, uint64_t gpa)
{
	if (!in_memory(k, gpa, MP_HEADER) || memcmp(k->mem + gpa, "PCMP", 4) != 0)
		return fail(k, "no MP configuration table at 0x%llx", (unsigned long long)gpa);
	const uint8_t *p = k->mem + gpa;
	uint16_t length = le16(p + 4), count = le16(p + 34);
	if (length < MP_HEADER || !in_memory(k, gpa, length))
		return fail(k, "MP configuration table has a bad length %u", length);
	if (sum(p, length) != 0)
		return fail(k, "MP configuration table: checksum wrong");
	uint32_t at = MP_HEADER;
	for (unsigned i = 0; i < count; i++) {
		unsigned size = at < length && p[at] == 0 ? 20 : 8;
		if (at >= length || p[at] > 4 || size > length - at)
			return fail(k, "MP entry %u: bad type or past the table's end", i);
		if (p[at] == 0 && (p[at + 3] & 1)) {
			k->w->mp_processors++;
			k->w->mp_bootstrap += (p[at + 3] & 2) != 0;
		}
		at += size;
	}
	if (at != length)
		return fail(k, "MP entries end at %u, the table at %u", at, length);
	return record(k, "PCMP", gpa, length);
}

static int walk_mp(struct walker *k, uint64_t ebda)
{
	uint64_t base_kib = le16(k->mem + 0x413), found = 0;
	if (ebda)
		found = search_mp(k, ebda, ebda + KIB);
	if (!found && base_kib >= 1 && base_kib <= 640)
		found = search_mp(k, base_kib * KIB - KIB, base_kib * KIB);
	if (!found)
		found = search_mp(k, MP_ROM_BEGIN, BIOS_AREA_END);
	if (!found)
		return 0; /* no MP table: allowed */
	k->w->mp_floating = found;
	if (record(k, "MPFP", found, 16))
		return -1;
	uint32_t config = le32(k->mem + found + 4);
	if (!config)
		return fail(k, "MP floating pointer without a configuration table (default "
			       "configurations are not used by minivmm)");
	return walk_mp_config(k, config);
}

int fw_walk(const uint8_t *mem, uint64_t size, struct fw_walk *w)
{
	memset(w, 0, sizeof *w);
	struct walker k = {mem, size, w};
	if (size < BIOS_AREA_END)
		return fail(&k, "memory of %llu bytes lacks the first MiB",
			    (unsigned long long)size);
	/* 5.2.5.1: the first KiB of the EBDA (its segment at 0x40E), then 0xE0000-0xFFFFF. */
	uint64_t ebda = (uint64_t)le16(mem + 0x40e) << 4;
	if (ebda < 0x80000 || ebda >= 0xa0000)
		ebda = 0; /* not a plausible EBDA: Linux ignores it too */
	if (ebda)
		w->rsdp_ebda = search_rsdp(&k, ebda, ebda + KIB);
	w->rsdp_scan = search_rsdp(&k, BIOS_AREA_BEGIN, BIOS_AREA_END);
	uint64_t rsdp = w->rsdp_ebda ? w->rsdp_ebda : w->rsdp_scan;
	if (!rsdp)
		return fail(&k, "no RSDP in the EBDA or 0xE0000-0xFFFFF");
	if (w->rsdp_ebda && w->rsdp_scan &&
	    memcmp(mem + w->rsdp_ebda, mem + w->rsdp_scan, RSDP_MIN_V2_LENGTH) != 0)
		return fail(&k, "the EBDA's RSDP and the BIOS area's differ");
	if (walk_acpi(&k, rsdp))
		return -1;
	return walk_mp(&k, ebda);
}

const struct fw_table *fw_walk_find(const struct fw_walk *w, const char *name)
{
	for (size_t i = 0; i < w->count; i++)
		if (strcmp(w->tables[i].name, name) == 0)
			return &w->tables[i];
	return NULL;
}
