/* SPDX-License-Identifier: MIT */
/*
 * The snapshot file's layout (docs/snapshot.md): a fixed header, a table of named sections,
 * the sections, and guest RAM from a page-aligned offset to the end of the file, so restore can
 * map it MAP_PRIVATE (copy-on-write) instead of reading it.
 *
 * All numbers are little-endian (minivmm runs only on x86-64 hosts). The header and the table
 * carry a CRC-32 each, every section its own; RAM carries none: checking it would read all of
 * it, which is what mapping it avoids (its length is checked against the file's).
 */
#ifndef MINIVMM_SNAPSHOT_FORMAT_H
#define MINIVMM_SNAPSHOT_FORMAT_H

#include <stdint.h>

#define SNAPSHOT_MAGIC		   "MVMSNAP\n"
#define SNAPSHOT_MAGIC_SIZE	   8
#define SNAPSHOT_VERSION	   1
#define SNAPSHOT_PAGE_SIZE	   4096u /* RAM's file offset is a multiple of this */
#define SNAPSHOT_MAX_SECTIONS	   256u
#define SNAPSHOT_SECTION_NAME_SIZE 24u /* NUL-terminated, NUL-padded */
#define SNAPSHOT_SECTION_ALIGN	   8u
#define SNAPSHOT_MAX_VCPUS	   8u /* VM_MAX_VCPUS */

#define SNAPSHOT_FLAG_IRQCHIP 0x1u /* the VM had KVM's PIC/IOAPIC/LAPIC/PIT */
#define SNAPSHOT_FLAGS_KNOWN  SNAPSHOT_FLAG_IRQCHIP

/* The CPUID words whose feature bits the guest was given (features[] in the header): a host
 * whose KVM cannot offer every one of them cannot run the saved guest. */
enum snapshot_feature_word {
	SNAPSHOT_FEAT_1_ECX,
	SNAPSHOT_FEAT_1_EDX,
	SNAPSHOT_FEAT_7_EBX,
	SNAPSHOT_FEAT_7_ECX,
	SNAPSHOT_FEAT_7_EDX,
	SNAPSHOT_FEAT_80000001_ECX,
	SNAPSHOT_FEAT_80000001_EDX,
	SNAPSHOT_FEAT_WORDS
};

struct snapshot_header {
	char magic[SNAPSHOT_MAGIC_SIZE];
	uint32_t version;
	uint32_t header_size; /* sizeof(struct snapshot_header) */
	char cpu_vendor[12];  /* CPUID leaf 0 EBX, EDX, ECX: "GenuineIntel", "AuthenticAMD" */
	uint32_t vcpu_count;  /* 1..SNAPSHOT_MAX_VCPUS */
	uint64_t ram_size;    /* bytes, a multiple of SNAPSHOT_PAGE_SIZE */
	uint64_t ram_offset;  /* file offset of RAM, page-aligned; RAM runs to the end of file */
	uint32_t section_count;
	uint32_t flags; /* SNAPSHOT_FLAG_* */
	uint32_t features[SNAPSHOT_FEAT_WORDS];
	uint32_t reserved;   /* 0 */
	uint32_t table_crc;  /* CRC-32 of the section table */
	uint32_t header_crc; /* CRC-32 of every byte above */
};
_Static_assert(sizeof(struct snapshot_header) == 96, "the header's size is part of the format");

/* The table follows the header: section_count entries, sorted by offset, none overlapping. */
struct snapshot_section_entry {
	char name[SNAPSHOT_SECTION_NAME_SIZE];
	uint64_t offset; /* from the start of the file, a multiple of SNAPSHOT_SECTION_ALIGN */
	uint64_t size;
	uint32_t crc;	   /* CRC-32 of the section's bytes */
	uint32_t reserved; /* 0 */
};
_Static_assert(sizeof(struct snapshot_section_entry) == 48, "the table's layout is the format");

/* CRC-32 (ISO-HDLC, zlib's crc32()) of len bytes. */
uint32_t snapshot_crc32(const void *data, uint64_t len);

#endif
