/* SPDX-License-Identifier: MIT */
/*
 * The DSDT: the least AML (ACPI 6.5 chapter 20, "ACPI Machine Language Specification") a PC
 * kernel needs, assembled by hand here rather than compiled from ASL at build time, so the
 * build needs no iasl (the tests use it to check the result). Its ASL equivalent:
 *
 *   DefinitionBlock ("", "DSDT", 2, "MINVMM", "MINIVMM ", 1) {
 *     Name (_S3, Package () { PC_ACPI_SLP_TYP_S3, PC_ACPI_SLP_TYP_S3, 0, 0 })  // 7.4.2
 *     Name (_S5, Package () { PC_ACPI_SLP_TYP_S5, PC_ACPI_SLP_TYP_S5, 0, 0 })
 *     Scope (_SB) {
 *       Device (PCI0) {                 // PCI root bridge of bus 0 (configuration mechanism 1)
 *         Name (_HID, EisaId ("PNP0A03")) Name (_UID, 0) Name (_SEG, 0) Name (_BBN, 0) }
 *       Device (COM1) {
 *         Name (_HID, EisaId ("PNP0501")) Name (_UID, 1)
 *         Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8, 1, 8) IRQNoFlags () {4} })
 *       }
 *       Device (RTC) {
 *         Name (_HID, EisaId ("PNP0B00"))
 *         Name (_CRS, ResourceTemplate () { IO (Decode16, 0x70, 0x70, 1, 2) IRQNoFlags () {8} })
 *       }
 *     }
 *   }
 *
 * Package sizes are encoded as PkgLength (20.2.4): the writer opens a package, writes its body,
 * and closes it by inserting the length in front, so no size is counted by hand.
 */
#include <stdbool.h>
#include <string.h>

#include "devices/rtc_cmos.h"
#include "minivmm/boot_abi.h"
#include "platform/acpi_tables.h"
#include "platform/pc_layout.h"
#include "platform/table_bytes.h"

/* AML opcodes (20.3). */
#define AML_ZERO	 0x00
#define AML_ONE		 0x01
#define AML_NAME	 0x08
#define AML_BYTE_PREFIX	 0x0a
#define AML_WORD_PREFIX	 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_SCOPE	 0x10
#define AML_BUFFER	 0x11
#define AML_PACKAGE	 0x12
#define AML_EXT_PREFIX	 0x5b
#define AML_DEVICE	 0x82 /* after AML_EXT_PREFIX */

/* Small resource descriptors (6.4.2). */
#define RES_IRQ_NO_FLAGS 0x22 /* IRQ descriptor, 2 bytes: the mask, edge high ISA */
#define RES_IO		 0x47 /* I/O port descriptor, 7 bytes */
#define RES_IO_DECODE16	 0x01
#define RES_END_TAG	 0x79 /* end tag, 1 byte: checksum 0 = "treat as valid" */

#define COM1_PORTS    8
#define DSDT_REVISION 2 /* integers are 64 bits (5.2.11.1) */

struct aml {
	uint8_t *out;
	size_t len, cap;
	bool overflow;
};

static void emit(struct aml *a, const void *bytes, size_t n)
{
	if (a->overflow || n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->out + a->len, bytes, n);
	a->len += n;
}

static void emit_byte(struct aml *a, uint8_t b)
{
	emit(a, &b, 1);
}

/* A NameSeg (20.2.2): four characters, '_'-padded by the caller. */
static void emit_name(struct aml *a, const char seg[4])
{
	emit(a, seg, 4);
}

/* The shortest integer encoding (20.2.3 ComputationalData). */
static void emit_integer(struct aml *a, uint32_t v)
{
	uint8_t b[5];
	if (v <= AML_ONE) {
		emit_byte(a, (uint8_t)v);
	} else if (v <= 0xff) {
		emit_byte(a, AML_BYTE_PREFIX);
		emit_byte(a, (uint8_t)v);
	} else if (v <= 0xffff) {
		b[0] = AML_WORD_PREFIX;
		put_le16(b + 1, (uint16_t)v);
		emit(a, b, 3);
	} else {
		b[0] = AML_DWORD_PREFIX;
		put_le32(b + 1, v);
		emit(a, b, 5);
	}
}

/* EisaId("AAA####") (19.6.35): three letters of 5 bits each, big-endian, then four hex digits. */
static void emit_eisa_id(struct aml *a, const char id[7])
{
	uint16_t letters = (uint16_t)((id[0] - '@') << 10 | (id[1] - '@') << 5 | (id[2] - '@'));
	unsigned digits = 0;
	for (int i = 3; i < 7; i++)
		digits = digits << 4 | (unsigned)(id[i] <= '9' ? id[i] - '0' : id[i] - 'A' + 10);
	uint8_t b[5] = {AML_DWORD_PREFIX, (uint8_t)(letters >> 8), (uint8_t)letters,
			(uint8_t)(digits >> 8), (uint8_t)digits};
	emit(a, b, 5);
}

/* Opens a package: returns where its body starts; close_package() puts PkgLength there. */
static size_t open_package(struct aml *a)
{
	return a->len;
}

/* PkgLength (20.2.4) counts its own bytes and the body's: one byte below 64, else a lead byte
 * holding the byte count (bits 7-6) and the low 4 bits, then 8 bits per further byte. */
static void close_package(struct aml *a, size_t start)
{
	if (a->overflow)
		return;
	size_t body = a->len - start;
	size_t n = body + 1 < 0x40 ? 1 : body + 2 < 0x1000 ? 2 : 3;
	size_t total = body + n;
	uint8_t enc[3];
	if (n == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)((n - 1) << 6 | (total & 0xf));
		enc[1] = (uint8_t)(total >> 4);
		enc[2] = (uint8_t)(total >> 12);
	}
	if (n > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memmove(a->out + start + n, a->out + start, body);
	memcpy(a->out + start, enc, n);
	a->len += n;
}

/* Name (_Sx, Package () { typ, typ, 0, 0 }): SLP_TYPa, SLP_TYPb (no PM1b: the same), reserved. */
static void emit_sleep_state(struct aml *a, const char name[4], uint8_t slp_typ)
{
	emit_byte(a, AML_NAME);
	emit_name(a, name);
	emit_byte(a, AML_PACKAGE);
	size_t pkg = open_package(a);
	emit_byte(a, 4); /* NumElements */
	emit_integer(a, slp_typ);
	emit_integer(a, slp_typ);
	emit_integer(a, 0);
	emit_integer(a, 0);
	close_package(a, pkg);
}

static void emit_name_integer(struct aml *a, const char name[4], uint32_t v)
{
	emit_byte(a, AML_NAME);
	emit_name(a, name);
	emit_integer(a, v);
}

static void emit_name_eisa_id(struct aml *a, const char name[4], const char id[7])
{
	emit_byte(a, AML_NAME);
	emit_name(a, name);
	emit_eisa_id(a, id);
}

/* Name (_CRS, ResourceTemplate () { IO (Decode16, port, port, 1, count) IRQNoFlags () {irq} }) */
static void emit_crs_io_irq(struct aml *a, uint16_t port, uint8_t count, unsigned irq)
{
	uint8_t res[8 + 3 + 2] = {RES_IO, RES_IO_DECODE16};
	put_le16(res + 2, port); /* minimum base */
	put_le16(res + 4, port); /* maximum base */
	res[6] = 1;		 /* alignment */
	res[7] = count;		 /* length */
	res[8] = RES_IRQ_NO_FLAGS;
	put_le16(res + 9, (uint16_t)(1u << irq));
	res[11] = RES_END_TAG;
	res[12] = 0;
	emit_byte(a, AML_NAME);
	emit_name(a, "_CRS");
	emit_byte(a, AML_BUFFER);
	size_t buf = open_package(a);
	emit_integer(a, sizeof res);
	emit(a, res, sizeof res);
	close_package(a, buf);
}

static size_t open_device(struct aml *a, const char name[4])
{
	emit_byte(a, AML_EXT_PREFIX);
	emit_byte(a, AML_DEVICE);
	size_t dev = open_package(a);
	emit_name(a, name);
	return dev;
}

size_t acpi_build_dsdt(uint8_t *out, size_t cap)
{
	if (cap < ACPI_HEADER_SIZE)
		return 0;
	struct aml a = {.out = out, .len = ACPI_HEADER_SIZE, .cap = cap};
	emit_sleep_state(&a, "_S3_", PC_ACPI_SLP_TYP_S3);
	emit_sleep_state(&a, "_S5_", PC_ACPI_SLP_TYP_S5);

	emit_byte(&a, AML_SCOPE);
	size_t sb = open_package(&a);
	emit_name(&a, "_SB_");

	size_t pci = open_device(&a, "PCI0");
	emit_name_eisa_id(&a, "_HID", "PNP0A03");
	emit_name_integer(&a, "_UID", 0);
	emit_name_integer(&a, "_SEG", 0); /* PCI segment group 0 */
	emit_name_integer(&a, "_BBN", 0); /* its bus number */
	close_package(&a, pci);

	size_t com1 = open_device(&a, "COM1");
	emit_name_eisa_id(&a, "_HID", "PNP0501"); /* 16550-compatible UART */
	emit_name_integer(&a, "_UID", 1);
	emit_crs_io_irq(&a, MINIVMM_UART_COM1_PORT, COM1_PORTS, PC_COM1_IRQ);
	close_package(&a, com1);

	size_t rtc = open_device(&a, "RTC_");
	emit_name_eisa_id(&a, "_HID", "PNP0B00"); /* AT real-time clock */
	emit_crs_io_irq(&a, RTC_CMOS_PORT, RTC_CMOS_PORT_COUNT, RTC_CMOS_IRQ);
	close_package(&a, rtc);

	close_package(&a, sb);
	if (a.overflow)
		return 0;
	acpi_put_header(out, "DSDT", (uint32_t)a.len, DSDT_REVISION);
	table_fix_checksum(out, a.len, out + ACPI_HEADER_CHECKSUM);
	return a.len;
}
