/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the ELF loader. ELF images are built at test time with libelf from a table of
 * segments, so each test states exactly which header field is wrong (loader_fixture.h: the RAM).
 */
#include <check.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "machine/guest_mem.h"
#include "loader/loader.h"
#include "minivmm/boot_abi.h"
#include "loader_fixture.h"
#include "test_check_main.h"
#include "util/vmm_error.h"

struct segment_spec {
	uint32_t type; /* PT_LOAD, PT_NOTE, ... */
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint32_t flags;
	uint8_t fill;	       /* every file byte of the segment */
	uint64_t vaddr_offset; /* p_vaddr = p_paddr + this */
	uint64_t bad_offset;   /* if set, p_offset is this instead of where the bytes are */
};

#define LOAD(paddr, filesz, memsz, flags, fill)                                                    \
	{                                                                                          \
		PT_LOAD, paddr, filesz, memsz, flags, fill, 0, 0                                   \
	}
#define RX (PF_R | PF_X)
#define RW (PF_R | PF_W)

struct elf_spec {
	const struct segment_spec *segments;
	size_t count;
	uint64_t entry;
	int elf_class;	  /* 0: ELFCLASS64 */
	int data;	  /* 0: ELFDATA2LSB */
	unsigned machine; /* 0: EM_X86_64 */
	unsigned type;	  /* 0: ET_EXEC */
};

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* Lays the file out itself (ELF_F_LAYOUT): ELF header, program headers, section headers, then
 * each segment's bytes as one section. Section headers come before the data so that cutting
 * the file short damages segment data, not the tables libelf needs to open it. */
static uint8_t *build_elf(const struct elf_spec *spec, size_t *size_out)
{
	int fd = memfd_create("test-elf", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	Elf *elf = elf_begin(fd, ELF_C_WRITE, NULL);
	ck_assert_ptr_nonnull(elf);
	int elf_class = spec->elf_class ? spec->elf_class : ELFCLASS64;
	ck_assert_ptr_nonnull(gelf_newehdr(elf, elf_class));
	elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);

	size_t with_bytes = 0;
	for (size_t i = 0; i < spec->count; i++)
		with_bytes += spec->segments[i].filesz > 0;
	size_t ehdr_size = gelf_fsize(elf, ELF_T_EHDR, 1, EV_CURRENT);
	size_t phdrs_size = gelf_fsize(elf, ELF_T_PHDR, spec->count, EV_CURRENT);
	size_t shdrs_size = gelf_fsize(elf, ELF_T_SHDR, with_bytes + 1, EV_CURRENT);
	size_t shoff = align_up(ehdr_size + phdrs_size, 8);
	size_t offset = align_up(shoff + shdrs_size, 16);

	if (spec->count)
		ck_assert_ptr_nonnull(gelf_newphdr(elf, spec->count));
	for (size_t i = 0; i < spec->count; i++) {
		const struct segment_spec *s = &spec->segments[i];
		GElf_Phdr ph = {
		    .p_type = s->type,
		    .p_flags = s->flags,
		    .p_paddr = s->paddr,
		    .p_vaddr = s->paddr + s->vaddr_offset,
		    .p_filesz = s->filesz,
		    .p_memsz = s->memsz,
		    .p_align = 1,
		};
		if (s->filesz > 0) {
			Elf_Scn *scn = elf_newscn(elf);
			Elf_Data *data = elf_newdata(scn);
			ck_assert_ptr_nonnull(data);
			data->d_buf = malloc(s->filesz); /* freed after elf_end() below */
			ck_assert_ptr_nonnull(data->d_buf);
			memset(data->d_buf, s->fill, s->filesz);
			data->d_size = s->filesz;
			data->d_type = ELF_T_BYTE;
			data->d_align = 1;
			GElf_Shdr sh;
			ck_assert_ptr_nonnull(gelf_getshdr(scn, &sh));
			sh.sh_type = SHT_PROGBITS;
			sh.sh_flags = SHF_ALLOC;
			sh.sh_addr = s->paddr;
			sh.sh_offset = offset;
			sh.sh_size = s->filesz;
			sh.sh_addralign = 1;
			ck_assert(gelf_update_shdr(scn, &sh));
			ph.p_offset = offset;
			offset += s->filesz;
		}
		if (s->bad_offset)
			ph.p_offset = s->bad_offset;
		ck_assert(gelf_update_phdr(elf, (int)i, &ph));
	}

	GElf_Ehdr eh;
	ck_assert_ptr_nonnull(gelf_getehdr(elf, &eh));
	eh.e_ident[EI_DATA] = spec->data ? spec->data : ELFDATA2LSB;
	eh.e_machine = spec->machine ? spec->machine : EM_X86_64;
	eh.e_type = spec->type ? spec->type : ET_EXEC;
	eh.e_version = EV_CURRENT;
	eh.e_entry = spec->entry;
	eh.e_phoff = spec->count ? ehdr_size : 0;
	eh.e_shoff = shoff;
	ck_assert(gelf_update_ehdr(elf, &eh));
	off_t written = elf_update(elf, ELF_C_WRITE);
	ck_assert_msg(written > 0, "elf_update: %s", elf_errmsg(-1));

	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn))
		for (Elf_Data *d = elf_getdata(scn, NULL); d; d = elf_getdata(scn, d))
			free(d->d_buf);
	elf_end(elf);

	uint8_t *bytes = malloc((size_t)written);
	ck_assert_ptr_nonnull(bytes);
	ck_assert_int_eq(pread(fd, bytes, (size_t)written, 0), written);
	close(fd);
	*size_out = (size_t)written;
	return bytes;
}

/* Builds the ELF, optionally cuts it to keep bytes, and loads it. */
static int load_elf_cut(const struct elf_spec *spec, size_t keep, struct load_result *out)
{
	size_t size;
	uint8_t *image = build_elf(spec, &size);
	if (keep && keep < size)
		size = keep;
	int rc = elf_load_image(&mem, &limits, image, size, out, &err);
	free(image);
	return rc;
}

static int load_elf(const struct elf_spec *spec, struct load_result *out)
{
	return load_elf_cut(spec, 0, out);
}

#define ELF_OF(entry_, ...)                                                                        \
	(struct elf_spec)                                                                          \
	{                                                                                          \
		.segments = (const struct segment_spec[]){__VA_ARGS__},                            \
		.count = sizeof((const struct segment_spec[]){__VA_ARGS__}) /                      \
			 sizeof(struct segment_spec),                                              \
		.entry = (entry_)                                                                  \
	}

/* A plausible kernel: text at 1 MiB, data plus .bss at 2 MiB. */
static struct elf_spec good_kernel(void)
{
	static const struct segment_spec segments[] = {
	    LOAD(0x100000, 0x1234, 0x1234, RX, 0x11),
	    LOAD(0x200000, 0x100, 0x3000, RW, 0x22),
	};
	return (struct elf_spec){.segments = segments, .count = 2, .entry = 0x100010};
}

START_TEST(test_elf_loads_segments_and_zero_fills_bss)
{
	struct elf_spec spec = good_kernel();
	struct load_result out = {0};
	ck_assert_msg(load_elf(&spec, &out) == 0, "refused: %s", err.msg);
	ck_assert_uint_eq(out.entry, 0x100010);
	ck_assert_uint_eq(out.load_begin, 0x100000);
	ck_assert_uint_eq(out.load_end, 0x203000);
	ck_assert(all_bytes(ram + 0x100000, 0x1234, 0x11));
	ck_assert(all_bytes(ram + 0x200000, 0x100, 0x22));
	ck_assert(all_bytes(ram + 0x200100, 0x3000 - 0x100, 0)); /* .bss zeroed */
	ck_assert(all_bytes(ram, 0x100000, RAM_FILL));		 /* nothing else touched */
	ck_assert(all_bytes(ram + 0x101234, 0x200000 - 0x101234, RAM_FILL));
	ck_assert(all_bytes(ram + 0x203000, RAM_SIZE - 0x203000, RAM_FILL));
}
END_TEST

START_TEST(test_elf_leaves_zero_ram_unwritten)
{
	/* Issue 13: fresh guest RAM is zero already; memset of a bss only made the host commit it
	 * (a 3 GiB bss, 3 GiB resident). With ram_is_zero the bss is not written at all: the fill
	 * pattern stays where a memset would have put zeros. */
	const struct load_constraints zero = {.reserved_end = MINIVMM_RESERVED_END,
					      .ram_is_zero = true};
	struct elf_spec spec = good_kernel();
	size_t size;
	uint8_t *image = build_elf(&spec, &size);
	struct load_result out = {0};
	ck_assert_msg(elf_load_image(&mem, &zero, image, size, &out, &err) == 0, "%s", err.msg);
	free(image);
	ck_assert(all_bytes(ram + 0x100000, 0x1234, 0x11));
	ck_assert(all_bytes(ram + 0x200000, 0x100, 0x22));
	ck_assert(all_bytes(ram + 0x200100, 0x3000 - 0x100, RAM_FILL)); /* not written */
}
END_TEST

START_TEST(test_elf_ignores_pt_load_without_memory)
{
	/* p_memsz 0 occupies nothing, whatever its (here absurd) address. */
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x10, RX, 0x33),
				      LOAD(0xfffffffffffff000, 0, 0, RW, 0));
	struct load_result out = {0};
	ck_assert_msg(load_elf(&spec, &out) == 0, "refused: %s", err.msg);
	ck_assert_uint_eq(out.load_end, 0x100010);
	ck_assert(all_bytes(ram + 0x100000, 0x10, 0x33));
}
END_TEST

START_TEST(test_elf_refuses_empty_image)
{
	assert_refused(elf_load_image(&mem, &limits, "", 0, NULL, &err), "empty");
}
END_TEST

START_TEST(test_elf_refuses_non_elf)
{
	static const uint8_t pe[64] = {'M', 'Z', 0x90, 0x00};
	assert_refused(elf_load_image(&mem, &limits, pe, sizeof pe, NULL, &err),
		       "not an ELF file (starts with 0x4d 0x5a 0x90 0x00)");
}
END_TEST

START_TEST(test_elf_refuses_elfclass32)
{
	struct elf_spec spec = good_kernel();
	spec.elf_class = ELFCLASS32;
	assert_refused(load_elf(&spec, NULL), "32-bit ELF: minivmm boots ELF64 x86-64 kernels");
}
END_TEST

START_TEST(test_elf_refuses_aarch64)
{
	struct elf_spec spec = good_kernel();
	spec.machine = EM_AARCH64;
	assert_refused(load_elf(&spec, NULL), "EM_AARCH64, not EM_X86_64");
}
END_TEST

START_TEST(test_elf_refuses_et_dyn)
{
	struct elf_spec spec = good_kernel();
	spec.type = ET_DYN;
	assert_refused(load_elf(&spec, NULL), "ET_DYN");
	ck_assert_ptr_nonnull(strstr(err.msg, "-no-pie / -static"));
}
END_TEST

START_TEST(test_elf_refuses_big_endian)
{
	struct elf_spec spec = good_kernel();
	spec.data = ELFDATA2MSB;
	assert_refused(load_elf(&spec, NULL), "big-endian");
}
END_TEST

START_TEST(test_elf_refuses_filesz_larger_than_memsz)
{
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x2000, 0x1000, RX, 0x11));
	assert_refused(load_elf(&spec, NULL), "segment 0 has p_filesz 0x2000 larger than p_memsz");
}
END_TEST

START_TEST(test_elf_refuses_segment_beyond_ram)
{
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x10, RX, 0x11),
				      LOAD(0x800000, 0x10, 0x1000, RW, 0x22));
	assert_refused(load_elf(&spec, NULL),
		       "segment 1 [0x800000, 0x801000) lies outside the guest's 4 MiB of RAM: "
		       "give -m 9M or more");
}
END_TEST

START_TEST(test_elf_advice_holds_every_segment)
{
	/* Issue 13: the advice covered the first segment outside RAM only, so following it ran
	 * into the next one ("give -m 5M", then "give -m 10M"). It now holds them all, and a RAM
	 * of that size takes the kernel. */
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x400000, RX, 0x11),
				      LOAD(0x600000, 0x10, 0x380000, RW, 0x22));
	assert_refused(load_elf(&spec, NULL), "segment 0 [0x100000, 0x500000) lies outside the "
					      "guest's 4 MiB of RAM: give -m 10M or more");
	size_t size;
	uint8_t *image = build_elf(&spec, &size);
	struct guest_mem bigger;
	uint8_t *big_ram = calloc(1, 10u << 20);
	ck_assert_ptr_nonnull(big_ram);
	guest_mem_wrap(&bigger, big_ram, 10u << 20);
	ck_assert_msg(elf_load_image(&bigger, &limits, image, size, NULL, &err) == 0, "%s",
		      err.msg);
	struct guest_mem smaller = bigger;
	smaller.size -= 1u << 20;
	ck_assert_int_ne(elf_load_image(&smaller, &limits, image, size, NULL, &err), 0);
	free(big_ram);
	free(image);
}
END_TEST

START_TEST(test_elf_refuses_segments_beyond_the_maximum)
{
	/* No -m can hold a segment that ends past 3 GiB: say to link lower, not a -m. */
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x10, RX, 0x11),
				      LOAD(0xbfff0000, 0x10, 0x20000, RW, 0x22));
	assert_refused(load_elf(&spec, NULL), "beyond minivmm's 3072 MiB maximum: link the kernel "
					      "at a lower address");
	ck_assert_ptr_null(strstr(err.msg, "give -m"));
}
END_TEST

START_TEST(test_elf_refuses_segment_straddling_ram_end)
{
	struct elf_spec spec = ELF_OF(0x3ff000, LOAD(0x3ff000, 0x10, 0x2000, RX, 0x11));
	assert_refused(load_elf(&spec, NULL), "[0x3ff000, 0x401000) lies outside the guest's "
					      "4 MiB of RAM: give -m 5M or more");
}
END_TEST

START_TEST(test_elf_refuses_wrapping_segment)
{
	struct elf_spec spec = ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x10, RX, 0x11),
				      LOAD(0xfffffffffffff000, 0, 0x2000, RW, 0));
	assert_refused(load_elf(&spec, NULL), "segment 1 at 0xfffffffffffff000 with p_memsz 0x2000 "
					      "wraps around");
}
END_TEST

START_TEST(test_elf_refuses_file_data_offset_that_wraps)
{
	/* p_offset + p_filesz wraps to a small number: it must not pass as "inside the file". */
	struct segment_spec seg = LOAD(0x100000, 0x20, 0x20, RX, 0x11);
	seg.bad_offset = 0xfffffffffffffff0;
	struct elf_spec spec = {.segments = &seg, .count = 1, .entry = 0x100000};
	assert_refused(load_elf(&spec, NULL), "truncated");
}
END_TEST

START_TEST(test_elf_refuses_reserved_overlap)
{
	struct elf_spec spec = ELF_OF(0xf000, LOAD(0xf000, 0x2000, 0x2000, RX, 0x11));
	assert_refused(load_elf(&spec, NULL), "overlaps the VMM's reserved pages [0, 0x10000)");
}
END_TEST

START_TEST(test_elf_refuses_overlapping_segments)
{
	/* Segments 0 and 2 overlap; 1 lies between them in the table but not in memory. */
	struct elf_spec spec =
	    ELF_OF(0x100000, LOAD(0x100000, 0x10, 0x2000, RX, 0x11),
		   LOAD(0x300000, 0x10, 0x10, RW, 0x22), LOAD(0x101000, 0x10, 0x10, RW, 0x33));
	assert_refused(load_elf(&spec, NULL),
		       "segments 0 [0x100000, 0x102000) and 2 [0x101000, 0x101010) overlap");
}
END_TEST

START_TEST(test_elf_refuses_no_pt_load)
{
	struct elf_spec spec = ELF_OF(0x100000, {PT_NOTE, 0x100000, 0x10, 0x10, PF_R, 0x11, 0, 0});
	assert_refused(load_elf(&spec, NULL), "no PT_LOAD segment");
}
END_TEST

START_TEST(test_elf_refuses_entry_outside_executable_segments)
{
	struct elf_spec spec = good_kernel();
	spec.entry = 0x200000; /* inside the data segment, which is not PF_X */
	assert_refused(load_elf(&spec, NULL), "entry point 0x200000 is not inside any executable");
}
END_TEST

START_TEST(test_elf_refuses_vaddr_other_than_paddr)
{
	struct segment_spec seg = LOAD(0x100000, 0x10, 0x10, RX, 0x11);
	seg.vaddr_offset = 0xffffffff80000000;
	struct elf_spec spec = {.segments = &seg, .count = 1, .entry = 0x100000};
	assert_refused(load_elf(&spec, NULL), "p_vaddr 0xffffffff80100000 but p_paddr 0x100000");
}
END_TEST

START_TEST(test_elf_refuses_truncated_segment_data)
{
	struct elf_spec spec = good_kernel();
	size_t size;
	free(build_elf(&spec, &size));
	/* Lose the last 0x80 of the second segment's 0x100 file bytes. */
	assert_refused(load_elf_cut(&spec, size - 0x80, NULL), "segment 1 needs file bytes");
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
}
END_TEST

START_TEST(test_elf_refuses_truncated_program_headers)
{
	struct elf_spec spec = good_kernel();
	/* The ELF header (64 bytes) and half of the first program header. */
	assert_refused(load_elf_cut(&spec, 64 + 28, NULL), "truncated");
}
END_TEST

START_TEST(test_elf_refuses_truncated_elf_header)
{
	struct elf_spec spec = good_kernel();
	assert_refused(load_elf_cut(&spec, 40, NULL),
		       "ends after 40 byte(s), inside the ELF header");
}
END_TEST

START_TEST(test_elf_refusal_leaves_ram_untouched)
{
	/* Segment 0 is valid and comes first: it must not be copied before 1 is refused. */
	struct elf_spec spec =
	    ELF_OF(0x100000, LOAD(0x100000, 0x1000, 0x1000, RX, 0x11),
		   LOAD(0x200000, 0x10, 0x3000, RW, 0x22), LOAD(0x3ff000, 0x10, 0x2000, RW, 0x33));
	int rc = load_elf(&spec, NULL);
	ck_assert_int_lt(rc, 0);
	ck_assert(all_bytes(ram, RAM_SIZE, RAM_FILL));
}
END_TEST

static Suite *loader_elf_suite(void)
{
	Suite *s = suite_create("loader-elf");
	TCase *elf = tcase_create("elf");
	tcase_add_checked_fixture(elf, setup, teardown);
	tcase_add_test(elf, test_elf_loads_segments_and_zero_fills_bss);
	tcase_add_test(elf, test_elf_ignores_pt_load_without_memory);
	tcase_add_test(elf, test_elf_refuses_empty_image);
	tcase_add_test(elf, test_elf_refuses_non_elf);
	tcase_add_test(elf, test_elf_refuses_elfclass32);
	tcase_add_test(elf, test_elf_refuses_aarch64);
	tcase_add_test(elf, test_elf_refuses_et_dyn);
	tcase_add_test(elf, test_elf_refuses_big_endian);
	tcase_add_test(elf, test_elf_refuses_filesz_larger_than_memsz);
	tcase_add_test(elf, test_elf_refuses_segment_beyond_ram);
	tcase_add_test(elf, test_elf_refuses_segment_straddling_ram_end);
	tcase_add_test(elf, test_elf_advice_holds_every_segment);
	tcase_add_test(elf, test_elf_refuses_segments_beyond_the_maximum);
	tcase_add_test(elf, test_elf_refuses_wrapping_segment);
	tcase_add_test(elf, test_elf_refuses_file_data_offset_that_wraps);
	tcase_add_test(elf, test_elf_refuses_reserved_overlap);
	tcase_add_test(elf, test_elf_refuses_overlapping_segments);
	tcase_add_test(elf, test_elf_refuses_no_pt_load);
	tcase_add_test(elf, test_elf_refuses_entry_outside_executable_segments);
	tcase_add_test(elf, test_elf_refuses_vaddr_other_than_paddr);
	tcase_add_test(elf, test_elf_refuses_truncated_segment_data);
	tcase_add_test(elf, test_elf_refuses_truncated_program_headers);
	tcase_add_test(elf, test_elf_refuses_truncated_elf_header);
	tcase_add_test(elf, test_elf_refusal_leaves_ram_untouched);
	tcase_add_test(elf, test_elf_leaves_zero_ram_unwritten);
	suite_add_tcase(s, elf);
	return s;
}

CHECK_MAIN(loader_elf_suite)
