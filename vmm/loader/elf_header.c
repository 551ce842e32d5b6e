/* SPDX-License-Identifier: MIT */
/*
 * The ELF64 loader's first look at an image (elf.c loads what passes): its ELF header (System V
 * gABI "ELF Header"; the x86-64 psABI for the data encoding and machine). An image that is not
 * the ELF64 little-endian x86-64 executable minivmm boots is refused here, before a program
 * header is read, with a message naming what it is instead (not an ELF at all, a truncated or
 * damaged one, 32-bit, big-endian, another machine, an object file), because what to rebuild
 * depends on it.
 */
#include "loader/elf_header.h"

#include <errno.h>
#include <libelf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "loader/load_refusal.h"

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;
static bool libelf_ready;

static void libelf_init(void)
{
	libelf_ready = elf_version(EV_CURRENT) != EV_NONE;
}

int elf_header_libelf_start(struct vmm_error *err)
{
	pthread_once(&libelf_once, libelf_init);
	if (!libelf_ready)
		return vmm_error_set(err, -ENOSYS, VMM_EXIT_INTERNAL,
				     "libelf does not support ELF version %d: reinstall libelf",
				     EV_CURRENT);
	return 0;
}

/* Names for the machines a wrong kernel is most likely built for. */
static const struct {
	unsigned machine;
	const char *name;
} known_machines[] = {
    {EM_NONE, "EM_NONE"},   {EM_386, "EM_386 (32-bit x86)"},
    {EM_ARM, "EM_ARM"},	    {EM_AARCH64, "EM_AARCH64"},
    {EM_PPC, "EM_PPC"},	    {EM_PPC64, "EM_PPC64"},
    {EM_S390, "EM_S390"},   {EM_MIPS, "EM_MIPS"},
    {EM_RISCV, "EM_RISCV"},
};

static const char *machine_name(unsigned machine)
{
	for (size_t i = 0; i < sizeof known_machines / sizeof known_machines[0]; i++)
		if (known_machines[i].machine == machine)
			return known_machines[i].name;
	return NULL;
}

/* "0x4d 0x5a 0x90 0x00": enough of the start of a file to recognise what it really is. */
static void describe_first_bytes(const uint8_t *bytes, size_t size, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < size && i < 4 && used < len; i++)
		used +=
		    (size_t)snprintf(buf + used, len - used, "%s0x%02x", i ? " " : "", bytes[i]);
}

/* What libelf could not open as an ELF: a cut-short ELF, a damaged one, or something else. */
int elf_header_refuse_unparsable(const uint8_t *image, size_t size, struct vmm_error *err)
{
	size_t magic_len = size < SELFMAG ? size : SELFMAG;
	bool elf_magic = memcmp(image, ELFMAG, magic_len) == 0;
	if (elf_magic && size < sizeof(Elf64_Ehdr))
		return REFUSE_IMAGE(err,
				    "guest image ends after %zu byte(s), inside the ELF header: it "
				    "is truncated; copy the kernel again",
				    size);
	if (elf_magic)
		return REFUSE_IMAGE(err,
				    "guest image has the ELF magic but an invalid ELF "
				    "identification (class, data encoding or version): the file "
				    "is corrupt; rebuild the kernel");
	char first[32];
	describe_first_bytes(image, size, first, sizeof first);
	return REFUSE_IMAGE(err,
			    "guest image is not an ELF file (starts with %s): give an ELF64 x86-64 "
			    "kernel executable",
			    first);
}

/* The ELF header: an ELF64, little-endian, x86-64 executable, or a message saying which it is
 * not. */
int elf_header_check(Elf *elf, const uint8_t *image, size_t size, GElf_Ehdr *ehdr,
		     struct vmm_error *err)
{
	if (elf_kind(elf) != ELF_K_ELF)
		return elf_header_refuse_unparsable(image, size, err);
	/* libelf only reports ELF_K_ELF for a valid class, so not 64-bit means 32-bit. */
	if (gelf_getclass(elf) != ELFCLASS64)
		return REFUSE_IMAGE(err, "guest image is a 32-bit ELF: minivmm boots ELF64 x86-64 "
					 "kernels (build with -m64)");
	if (!gelf_getehdr(elf, ehdr))
		return REFUSE_IMAGE(err,
				    "cannot read the guest's ELF header (%s): the file is "
				    "truncated or corrupt",
				    elf_errmsg(-1));
	/* The x86-64 psABI fixes the data encoding at ELFDATA2LSB. */
	if (ehdr->e_ident[EI_DATA] != ELFDATA2LSB)
		return REFUSE_IMAGE(err, "guest image is a big-endian ELF: minivmm boots "
					 "little-endian x86-64 kernels");
	if (ehdr->e_machine != EM_X86_64) {
		char number[32];
		const char *name = machine_name(ehdr->e_machine);
		snprintf(number, sizeof number, "machine %u", ehdr->e_machine);
		return REFUSE_IMAGE(err,
				    "guest ELF is for %s, not EM_X86_64: build the kernel for "
				    "x86-64",
				    name ? name : number);
	}
	switch (ehdr->e_type) {
	case ET_EXEC:
		return 0;
	case ET_DYN:
		return REFUSE_IMAGE(err, "guest ELF is ET_DYN (position-independent), not ET_EXEC: "
					 "link the kernel with -no-pie / -static");
	case ET_REL:
		return REFUSE_IMAGE(err, "guest ELF is ET_REL (an object file), not ET_EXEC: link "
					 "it into an executable");
	default:
		return REFUSE_IMAGE(err,
				    "guest ELF has type %u, not ET_EXEC: give a linked kernel "
				    "executable",
				    ehdr->e_type);
	}
}
