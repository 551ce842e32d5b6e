/* SPDX-License-Identifier: MIT */
/*
 * ACPI table discovery and checks (ACPI 6.5 5.2): RSDP (5.2.5: 16-byte aligned in the EBDA's
 * first KiB or in 0xE0000-0xFFFFF), XSDT (5.2.8, falling back to the RSDT 5.2.7), MADT
 * (5.2.12), FADT (5.2.9), FACS (5.2.10), DSDT (5.2.11.1). Every length is bounded before it
 * is used: a table that claims more than TABLE_MAX bytes is refused.
 */
#include "acpi.h"

#include "console.h"

#define TABLE_MAX	  (1u << 20)
#define SDT_HEADER	  36
#define BDA_EBDA_SEGMENT  0x40e
#define BIOS_AREA_START	  0xe0000
#define BIOS_AREA_END	  0x100000
#define MADT_ENTRIES	  44
#define MADT_LOCAL_APIC	  0
#define MADT_IO_APIC	  1
#define MADT_OVERRIDE	  2
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED	  1u
#define FADT_TMR_VAL_EXT  (1u << 8)
#define MPS_INTI_HIGH	  1 /* polarity 01: active high */
#define MPS_INTI_LEVEL	  3 /* trigger mode 11: level */
#define GAS_SYSTEM_IO	  1

struct table_walk {
	unsigned count, bad;
	char list[160]; /* "FACP APIC ..." */
};

static void list_add(struct table_walk *walk, const char *signature, bool good)
{
	text_append(walk->list, sizeof(walk->list), "%s%c%c%c%c%s", walk->list[0] ? " " : "",
		    signature[0], signature[1], signature[2], signature[3], good ? "" : "!");
}

static uint32_t find_rsdp_in(uint32_t start, uint32_t end)
{
	for (uint32_t at = start; at + 20 <= end; at += 16)
		if (!memcmp(phys(at), "RSD PTR ", 8) && byte_sum(phys(at), 20) == 0)
			return at;
	return 0;
}

/* A table header at address with the signature, a sane length and a zero byte sum. */
static bool table_ok(uint64_t address, const char *signature, uint32_t *length)
{
	*length = 0;
	if (!address || address >= 0x100000000ull - SDT_HEADER)
		return false;
	const uint8_t *t = phys((uint32_t)address);
	*length = get32(t + 4);
	if (*length < SDT_HEADER || *length > TABLE_MAX || address + *length > 0x100000000ull)
		return false;
	return (!signature || !memcmp(t, signature, 4)) && byte_sum(t, *length) == 0;
}

static void check_rsdp(struct acpi_info *acpi, uint64_t *root, bool *xsdt)
{
	uint32_t ebda = (uint32_t)get16(phys(BDA_EBDA_SEGMENT)) << 4;
	const char *where = "EBDA";
	acpi->rsdp = ebda && ebda < 0xa0000 ? find_rsdp_in(ebda, ebda + 1024) : 0;
	if (!acpi->rsdp) {
		where = "BIOS area";
		acpi->rsdp = find_rsdp_in(BIOS_AREA_START, BIOS_AREA_END);
	}
	if (!acpi->rsdp) {
		check_fail("acpi_rsdp",
			   "no RSDP with a right checksum in the EBDA (0x%x) or 0xe0000-0xfffff",
			   ebda);
		return;
	}
	const uint8_t *rsdp = phys(acpi->rsdp);
	uint8_t revision = rsdp[15];
	bool extended_ok = true;
	*xsdt = false;
	*root = get32(rsdp + 16);
	if (revision >= 2) {
		uint32_t length = get32(rsdp + 20);
		extended_ok = length >= 36 && length <= 4096 && byte_sum(rsdp, length) == 0;
		if (extended_ok && get64(rsdp + 24)) {
			*root = get64(rsdp + 24);
			*xsdt = true;
		}
	}
	memcpy(acpi->oem_id, rsdp + 9, 6);
	acpi->oem_id[6] = 0;
	check(extended_ok, "acpi_rsdp", "at 0x%x (%s), revision %u, OEM '%s', checksum right%s",
	      acpi->rsdp, where, revision, acpi->oem_id,
	      revision < 2  ? ""
	      : extended_ok ? ", extended checksum right"
			    : ", extended checksum WRONG");
}

static void visit_table(struct acpi_info *acpi, struct table_walk *walk, uint64_t address)
{
	uint32_t length;
	bool good = table_ok(address, NULL, &length);
	char signature[5] = "????";
	if (address && address < 0x100000000ull - 4)
		memcpy(signature, phys((uint32_t)address), 4);
	walk->count++;
	walk->bad += !good;
	list_add(walk, signature, good);
	if (!good)
		return;
	if (!memcmp(signature, "APIC", 4))
		acpi->madt = (uint32_t)address;
	else if (!memcmp(signature, "FACP", 4))
		acpi->fadt = (uint32_t)address;
}

static void check_root(struct acpi_info *acpi, uint64_t root, bool xsdt)
{
	const char *name = xsdt ? "XSDT" : "RSDT";
	uint32_t length;
	if (!table_ok(root, name, &length)) {
		check_fail("acpi_root", "%s at 0x%llx: bad signature, length or checksum", name,
			   (unsigned long long)root);
		return;
	}
	struct table_walk walk = {0};
	const uint8_t *t = phys((uint32_t)root);
	unsigned entry_size = xsdt ? 8 : 4;
	for (uint32_t at = SDT_HEADER; at + entry_size <= length; at += entry_size)
		visit_table(acpi, &walk, xsdt ? get64(t + at) : get32(t + at));
	check(walk.bad == 0 && walk.count > 0, "acpi_root",
	      "%s at 0x%llx, %u tables: %s (! = bad checksum or length)", name,
	      (unsigned long long)root, walk.count, walk.list);
}

static void check_madt(struct acpi_info *acpi, unsigned expected_cpus)
{
	uint32_t length;
	if (!acpi->madt || !table_ok(acpi->madt, "APIC", &length)) {
		check_fail("acpi_madt", "no MADT (APIC) in the root table");
		return;
	}
	const uint8_t *t = phys(acpi->madt);
	unsigned ioapics = 0;
	bool irq0_to_gsi2 = false;
	char ids[64] = "";
	acpi->lapic_address = get32(t + 36);
	for (uint32_t at = MADT_ENTRIES; at + 2 <= length;) {
		uint8_t type = t[at], size = t[at + 1];
		if (size < 2 || at + size > length)
			break;
		uint32_t id = 0, flags = 0;
		bool cpu = false;
		if (type == MADT_LOCAL_APIC && size >= 8) {
			id = t[at + 3];
			flags = get32(t + at + 4);
			cpu = true;
		} else if (type == MADT_LOCAL_X2APIC && size >= 16) {
			id = get32(t + at + 4);
			flags = get32(t + at + 8);
			cpu = true;
		} else if (type == MADT_IO_APIC && size >= 12) {
			ioapics++;
		} else if (type == MADT_OVERRIDE && size >= 10) {
			irq0_to_gsi2 |= t[at + 3] == 0 && get32(t + at + 4) == 2;
			if (acpi->override_count < 16) {
				acpi->overrides[acpi->override_count].irq = t[at + 3];
				acpi->overrides[acpi->override_count].gsi = get32(t + at + 4);
				acpi->overrides[acpi->override_count++].flags = get16(t + at + 8);
			}
		}
		if (cpu && (flags & MADT_ENABLED) && acpi->cpu_count < ACPI_MAX_CPUS) {
			acpi->apic_ids[acpi->cpu_count++] = id;
			text_append(ids, sizeof(ids), " %u", id);
		}
		at += size;
	}
	check(acpi->cpu_count == expected_cpus && ioapics > 0 && irq0_to_gsi2, "acpi_madt",
	      "%u enabled cpus (apic ids%s), want %u; LAPIC at 0x%x; %u IOAPIC; IRQ0->GSI2 "
	      "override %s",
	      acpi->cpu_count, ids, expected_cpus, acpi->lapic_address, ioapics,
	      irq0_to_gsi2 ? "present" : "MISSING");
}

/* The port of a fixed-hardware block: X_ (a generic address, 5.2.3.2) when the FADT is long
 * enough and it is set, else the 32-bit legacy field (5.2.9: X_ fields win when non-zero). */
static uint16_t fadt_port(const uint8_t *fadt, uint32_t length, uint32_t legacy, uint32_t gas)
{
	if (length >= gas + 12 && get64(fadt + gas + 4) && fadt[gas] == GAS_SYSTEM_IO)
		return (uint16_t)get64(fadt + gas + 4);
	return (uint16_t)get32(fadt + legacy);
}

static uint64_t fadt_pointer(const uint8_t *fadt, uint32_t length, uint32_t legacy, uint32_t x)
{
	if (length >= x + 8 && get64(fadt + x))
		return get64(fadt + x);
	return get32(fadt + legacy);
}

static void check_fadt(struct acpi_info *acpi)
{
	uint32_t length;
	if (!acpi->fadt || !table_ok(acpi->fadt, "FACP", &length) || length < 116) {
		check_fail("acpi_fadt", "no FADT (FACP) of at least 116 bytes in the root table");
		return;
	}
	const uint8_t *f = phys(acpi->fadt);
	uint64_t facs = fadt_pointer(f, length, 36, 132), dsdt = fadt_pointer(f, length, 40, 140);
	acpi->fadt_flags = get32(f + 112);
	acpi->sci_irq = get16(f + 46);
	acpi->smi_cmd = get32(f + 48);
	acpi->acpi_enable = f[52];
	acpi->pm1a_evt_port = fadt_port(f, length, 56, 148);
	acpi->pm1a_cnt_port = fadt_port(f, length, 64, 172);
	acpi->pm_tmr_port = fadt_port(f, length, 76, 208);
	acpi->pm1_evt_len = f[88];
	acpi->pm_tmr_32bit = acpi->fadt_flags & FADT_TMR_VAL_EXT;
	uint8_t pm1_cnt_len = f[89], pm_tmr_len = f[91];
	if (facs < 0x100000000ull)
		acpi->facs = (uint32_t)facs;
	if (dsdt < 0x100000000ull)
		acpi->dsdt = (uint32_t)dsdt;
	bool good = acpi->pm_tmr_port && pm_tmr_len == 4 && acpi->pm1a_evt_port &&
		    acpi->pm1_evt_len >= 4 && acpi->pm1a_cnt_port && pm1_cnt_len >= 2 &&
		    acpi->facs && acpi->dsdt;
	check(good, "acpi_fadt",
	      "revision %u, PM timer port 0x%x (%s-bit, length %u), PM1a_EVT 0x%x (length %u), "
	      "PM1a_CNT "
	      "0x%x (length %u), SCI %u, SMI_CMD 0x%x, FACS 0x%x, DSDT 0x%x",
	      f[8], acpi->pm_tmr_port, acpi->pm_tmr_32bit ? "32" : "24", pm_tmr_len,
	      acpi->pm1a_evt_port, acpi->pm1_evt_len, acpi->pm1a_cnt_port, pm1_cnt_len,
	      get16(f + 46), acpi->smi_cmd, acpi->facs, acpi->dsdt);
}

/* The SCI is an ISA IRQ wired level-triggered, active-high (as on PIIX4 and ICH): the MADT must
 * say so with an override, since an ISA IRQ is edge, active-high without one (5.2.12.5). */
static void check_sci(const struct acpi_info *acpi)
{
	for (unsigned i = 0; i < acpi->override_count; i++) {
		if (acpi->overrides[i].irq != acpi->sci_irq)
			continue;
		uint16_t flags = acpi->overrides[i].flags;
		bool level = (flags >> 2 & 3) == MPS_INTI_LEVEL,
		     high = (flags & 3) == MPS_INTI_HIGH;
		check(level && high, "acpi_sci",
		      "SCI IRQ %u: MADT override to GSI %u, flags 0x%x (%s-triggered, active-%s; "
		      "want "
		      "level, high)",
		      acpi->sci_irq, acpi->overrides[i].gsi, flags, level ? "level" : "NOT level",
		      high ? "high" : "NOT high");
		return;
	}
	check_fail("acpi_sci", "SCI IRQ %u: no MADT interrupt source override for it",
		   acpi->sci_irq);
}

static void check_facs(struct acpi_info *acpi)
{
	if (!acpi->facs) {
		check_fail("acpi_facs", "the FADT names no FACS");
		return;
	}
	const uint8_t *facs = phys(acpi->facs);
	uint32_t length = get32(facs + 4);
	bool good = !memcmp(facs, "FACS", 4) && length >= 64 && acpi->facs % 64 == 0;
	if (!good)
		acpi->facs = 0;
	check(good, "acpi_facs",
	      "at 0x%x (%s64-byte aligned), signature '%c%c%c%c', length %u, version %u",
	      (uint32_t)(uintptr_t)facs, (uintptr_t)facs % 64 ? "NOT " : "", facs[0], facs[1],
	      facs[2], facs[3], length, facs[32]);
}

static void check_dsdt(struct acpi_info *acpi)
{
	uint32_t length;
	acpi->slp_typ_s5 = acpi->slp_typ_s3 = -1;
	if (!acpi->dsdt || !table_ok(acpi->dsdt, "DSDT", &length)) {
		check_fail("acpi_dsdt", "DSDT at 0x%x: bad signature, length or checksum",
			   acpi->dsdt);
		return;
	}
	const uint8_t *aml = (const uint8_t *)phys(acpi->dsdt) + SDT_HEADER;
	acpi->slp_typ_s5 = aml_sleep_type(aml, length - SDT_HEADER, "_S5_");
	acpi->slp_typ_s3 = aml_sleep_type(aml, length - SDT_HEADER, "_S3_");
	check_ok("acpi_dsdt", "at 0x%x, %u bytes of AML, checksum right", acpi->dsdt,
		 length - SDT_HEADER);
	check(acpi->slp_typ_s5 >= 0, "acpi_s5", "\\_S5 package: SLP_TYPa %d", acpi->slp_typ_s5);
	check(acpi->slp_typ_s3 >= 0, "acpi_s3", "\\_S3 package: SLP_TYPa %d", acpi->slp_typ_s3);
}

void acpi_check(struct acpi_info *acpi, unsigned expected_cpus)
{
	uint64_t root = 0;
	bool xsdt = false;
	memset(acpi, 0, sizeof(*acpi));
	acpi->slp_typ_s5 = acpi->slp_typ_s3 = -1;
	check_rsdp(acpi, &root, &xsdt);
	if (!acpi->rsdp)
		return;
	check_root(acpi, root, xsdt);
	check_madt(acpi, expected_cpus);
	check_fadt(acpi);
	if (!acpi->fadt)
		return;
	check_sci(acpi);
	check_facs(acpi);
	check_dsdt(acpi);
}
