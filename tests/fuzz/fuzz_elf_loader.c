/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the guest image loaders (vmm/loader/elf*.c, flat.c, multiboot*.c) on arbitrary
 * bytes.
 *
 * The whole input is the image. elf_load_image() loads it into 4 MiB of guest RAM with the real
 * reserved pages; flat_load_image() loads the same bytes at an address taken from bytes 8-15 (the
 * ELF identification padding, which nothing else reads), steered near the interesting edges; and
 * when the bytes carry a multiboot header, multiboot_load_image() loads them as a multiboot
 * kernel (a.out kludge or ELF32) with a command line and its boot information.
 *
 * Beyond "no crash, no sanitizer report" (libFuzzer also fails a target that writes its input),
 * it checks what the loaders promise:
 * - a refused image is refused as a malformed image (status 65) with a message, never as a
 *   minivmm bug (status 70);
 * - an accepted ELF lies in RAM above the reserved pages, its entry is inside what was loaded,
 *   and every PT_LOAD segment holds its file bytes followed by zeros (checked against the
 *   program headers read here independently of libelf, when e_phnum is not PN_XNUM);
 * - the flat loader accepts exactly the images that fit, and copies them byte for byte.
 * RAM is kept filled with a pattern between runs, so a missing zero-fill or copy shows.
 */
#include <elf.h>
#include <string.h>

#include "fuzz_common.h"
#include "loader/loader.h"
#include "loader/multiboot.h"
#include "minivmm/boot_abi.h"
#include "platform/pc_layout.h"

#define RAM_SIZE     (4ull << 20)
#define RAM_PATTERN  0xa5
#define RESERVED_END MINIVMM_RESERVED_END

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static int ram_ready;

static void check_error(const struct vmm_error *err)
{
	FUZZ_CHECK(err->status == VMM_EXIT_GUEST_IMAGE || err->status == VMM_EXIT_HOST_RESOURCES);
	FUZZ_CHECK(memchr(err->msg, '\0', sizeof err->msg) != NULL);
	FUZZ_CHECK(err->msg[0] != '\0');
}

static void check_range_is(uint64_t gpa, uint64_t len, int byte)
{
	for (uint64_t i = 0; i < len; i++)
		if (ram[gpa + i] != byte) {
			fprintf(stderr, "ram[0x%llx] = 0x%02x, expected 0x%02x\n",
				(unsigned long long)(gpa + i), ram[gpa + i], byte);
			FUZZ_CHECK(ram[gpa + i] == byte);
		}
}

/* The loaded bytes against the program headers, read straight from the image. */
static void check_elf_contents(const uint8_t *data, size_t size)
{
	Elf64_Ehdr eh;
	FUZZ_CHECK(size >= sizeof eh);
	memcpy(&eh, data, sizeof eh);
	if (eh.e_phnum == PN_XNUM)
		return; /* the real count is in section 0: trust libelf's reading of it */
	FUZZ_CHECK(eh.e_phentsize == sizeof(Elf64_Phdr));
	FUZZ_CHECK(eh.e_phoff <= size &&
		   (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) <= size - eh.e_phoff);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, data + eh.e_phoff + i * sizeof ph, sizeof ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		FUZZ_CHECK(ph.p_paddr >= RESERVED_END && ph.p_paddr <= RAM_SIZE &&
			   ph.p_memsz <= RAM_SIZE - ph.p_paddr);
		FUZZ_CHECK(ph.p_filesz <= ph.p_memsz);
		if (ph.p_filesz > 0) { /* with nothing to copy, p_offset may point anywhere */
			FUZZ_CHECK(ph.p_offset <= size && ph.p_filesz <= size - ph.p_offset);
			FUZZ_CHECK(memcmp(ram + ph.p_paddr, data + ph.p_offset, ph.p_filesz) == 0);
		}
		check_range_is(ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz, 0);
	}
}

static void fuzz_elf(struct guest_mem *mem, const uint8_t *data, size_t size)
{
	const struct load_constraints limits = {.reserved_end = RESERVED_END};
	struct load_result out;
	struct vmm_error err = {0};
	memset(&out, 0x5a, sizeof out);
	int rc = elf_load_image(mem, &limits, data, size, &out, &err);
	if (rc != 0) {
		FUZZ_CHECK(rc < 0);
		check_error(&err);
		return;
	}
	FUZZ_CHECK(out.load_begin >= RESERVED_END);
	FUZZ_CHECK(out.load_begin < out.load_end && out.load_end <= RAM_SIZE);
	FUZZ_CHECK(out.entry >= out.load_begin && out.entry < out.load_end);
	Elf64_Ehdr eh;
	memcpy(&eh, data, sizeof eh); /* an accepted image holds at least a header */
	FUZZ_CHECK(out.entry == eh.e_entry);
	check_elf_contents(data, size);
	/* Nothing below or above what was loaded was touched. */
	if (out.load_begin > 0)
		check_range_is(out.load_begin - 1, 1, RAM_PATTERN);
	if (out.load_end < RAM_SIZE)
		check_range_is(out.load_end, 1, RAM_PATTERN);
	memset(ram + out.load_begin, RAM_PATTERN, out.load_end - out.load_begin);
}

static uint64_t flat_load_address(const uint8_t *data, size_t size)
{
	uint8_t bytes[8] = {0};
	if (size > 8)
		memcpy(bytes, data + 8, size - 8 < 8 ? size - 8 : 8);
	uint64_t raw;
	memcpy(&raw, bytes, sizeof raw);
	switch (bytes[0] & 3) {
	case 0:
		return raw; /* anywhere in 64 bits: mostly refused, some wrap */
	case 1:
		return (raw >> 2) % (RAM_SIZE + 0x10000); /* in RAM or just past it */
	case 2:
		return RAM_SIZE - ((raw >> 2) & 0x1ffff); /* straddling the end of RAM */
	default:
		return (raw >> 2) & 0x1ffff; /* straddling the end of the reserved pages */
	}
}

static void fuzz_flat(struct guest_mem *mem, const uint8_t *data, size_t size)
{
	const struct load_constraints limits = {.reserved_end = RESERVED_END};
	uint64_t addr = flat_load_address(data, size);
	struct load_result out;
	struct vmm_error err = {0};
	int rc = flat_load_image(mem, &limits, data, size, addr, &out, &err);
	bool fits = size > 0 && addr >= RESERVED_END && addr <= RAM_SIZE && size <= RAM_SIZE - addr;
	if (rc != 0) {
		FUZZ_CHECK(rc < 0 && !fits);
		FUZZ_CHECK(err.status == VMM_EXIT_GUEST_IMAGE);
		check_error(&err);
		return;
	}
	FUZZ_CHECK(fits);
	FUZZ_CHECK(out.entry == addr && out.load_begin == addr && out.load_end == addr + size);
	FUZZ_CHECK(memcmp(ram + addr, data, size) == 0);
	if (addr + size < RAM_SIZE)
		check_range_is(addr + size, 1, RAM_PATTERN);
	check_range_is(addr - 1, 1, RAM_PATTERN);
	memset(ram + addr, RAM_PATTERN, size);
}

static bool ram_is_pattern(void)
{
	static uint8_t pattern[RAM_SIZE];
	if (pattern[0] != RAM_PATTERN)
		memset(pattern, RAM_PATTERN, sizeof pattern);
	return memcmp(ram, pattern, RAM_SIZE) == 0;
}

/* A multiboot kernel: everything is checked before the first byte is written (issue 13: the
 * kernel was copied and its bss zeroed before the boot information was found not to fit), so a
 * refused image leaves RAM exactly as it was; an accepted one lies in RAM from 0x1000 up with its
 * entry inside it and the information in minivmm's boot data area. */
static void fuzz_multiboot(struct guest_mem *mem, const uint8_t *data, size_t size)
{
	if (!multiboot_detect(data, size))
		return;
	const struct load_constraints limits = {.reserved_end = RESERVED_END};
	const struct multiboot_boot_params params = {.cmdline = "console=ttyS0"};
	struct load_result out;
	uint32_t info = 0;
	struct vmm_error err = {0};
	int rc = multiboot_load_image(mem, &limits, data, size, &params, &out, &info, &err);
	if (rc != 0) {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK(err.status == VMM_EXIT_GUEST_IMAGE || err.status == VMM_EXIT_USAGE);
		FUZZ_CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL && err.msg[0] != '\0');
		FUZZ_CHECK(ram_is_pattern());
		return;
	}
	FUZZ_CHECK(out.load_begin >= PC_LOW_RESERVED_END);
	FUZZ_CHECK(out.load_begin < out.load_end && out.load_end <= RAM_SIZE);
	FUZZ_CHECK(out.entry >= out.load_begin && out.entry < out.load_end);
	FUZZ_CHECK(info == PC_BOOT_INFO_GPA);
	memset(ram + PC_LOW_RESERVED_END, RAM_PATTERN, RAM_SIZE - PC_LOW_RESERVED_END);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ram_ready) {
		memset(ram, RAM_PATTERN, sizeof ram);
		ram_ready = 1;
	}
	struct guest_mem mem;
	guest_mem_wrap(&mem, ram, RAM_SIZE);
	fuzz_elf(&mem, data, size);
	fuzz_flat(&mem, data, size);
	fuzz_multiboot(&mem, data, size);
	guest_mem_destroy(&mem);
	return 0;
}
