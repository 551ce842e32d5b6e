/* SPDX-License-Identifier: MIT */
/*
 * The tiny AML scan hobby kernels use to power off: find the object `Name (_S5, Package () {
 * SLP_TYPa, SLP_TYPb, ... })` in the DSDT and take its first element (ACPI 6.5 7.4.2, AML
 * encoding 20.2: NameOp 0x08, optional root prefix '\', the 4-character name, PackageOp 0x12,
 * PkgLength of 1-4 bytes, NumElements, then each element as a data object). Every read is
 * bounded by the table's length: the bytes come from firmware the kernel has to trust little.
 */
#include "acpi.h"

#define AML_NAME_OP	 0x08
#define AML_ROOT_PREFIX	 0x5c
#define AML_PACKAGE_OP	 0x12
#define AML_ZERO_OP	 0x00
#define AML_ONE_OP	 0x01
#define AML_BYTE_PREFIX	 0x0a
#define AML_WORD_PREFIX	 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_ONES_OP	 0xff
#define SLP_TYP_MASK	 0x7

static bool is_name_declaration(const uint8_t *aml, uint32_t at)
{
	if (at >= 1 && aml[at - 1] == AML_NAME_OP)
		return true;
	return at >= 2 && aml[at - 1] == AML_ROOT_PREFIX && aml[at - 2] == AML_NAME_OP;
}

static int package_first_element(const uint8_t *aml, uint32_t length, uint32_t at)
{
	if (at >= length || aml[at] != AML_PACKAGE_OP)
		return -1;
	at++;
	if (at >= length)
		return -1;
	uint32_t pkg_length_bytes = 1 + (aml[at] >> 6); /* bits 7-6: bytes that follow the lead */
	at += pkg_length_bytes + 1;			/* PkgLength, NumElements */
	if (at >= length)
		return -1;
	switch (aml[at]) {
	case AML_ZERO_OP:
		return 0;
	case AML_ONE_OP:
		return 1;
	case AML_ONES_OP:
		return SLP_TYP_MASK;
	case AML_BYTE_PREFIX:
	case AML_WORD_PREFIX:
	case AML_DWORD_PREFIX:
		return at + 1 < length ? aml[at + 1] & SLP_TYP_MASK : -1;
	default:
		return -1;
	}
}

int aml_sleep_type(const uint8_t *aml, uint32_t length, const char name[4])
{
	for (uint32_t at = 0; at + 4 <= length; at++) {
		if (aml[at] != (uint8_t)name[0] || memcmp(aml + at, name, 4) ||
		    !is_name_declaration(aml, at))
			continue;
		int type = package_first_element(aml, length, at + 4);
		if (type >= 0)
			return type;
	}
	return -1;
}
