/* SPDX-License-Identifier: MIT */
/*
 * Build-time host tool for the toy guest (guest/CMakeLists.txt): turns the program header of
 * the .multiboot_gap segment (the only PT_LOAD with no R/W/X flag, guest.ld) into PT_NULL.
 *
 * The gap is ~1 MiB of zeros that keeps the file a one-to-one image of memory from 1 MiB to the
 * program's data, as the Multiboot a.out kludge needs (kernel/multiboot_header.S). ld only lays
 * a section out in file order if its segment is PT_LOAD; once laid out, the segment can become
 * PT_NULL, which every ELF loader skips (gABI: "the array element is unused"). So the direct ELF
 * boot neither reads nor writes the gap, and the kludge still copies it.
 *
 * usage: hide_multiboot_gap FILE.elf   (an ELF64 little-endian file, changed in place)
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.elf\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "r+b");
	Elf64_Ehdr eh;
	if (!f || fread(&eh, sizeof eh, 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr)) {
		fprintf(stderr, "%s: %s is not a readable ELF64 file\n", argv[0], argv[1]);
		return 1;
	}
	int found = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		long at = (long)(eh.e_phoff + i * sizeof ph);
		if (fseek(f, at, SEEK_SET) != 0 || fread(&ph, sizeof ph, 1, f) != 1)
			break;
		if (ph.p_type != PT_LOAD || ph.p_flags != 0)
			continue;
		ph.p_type = PT_NULL;
		if (fseek(f, at, SEEK_SET) != 0 || fwrite(&ph, sizeof ph, 1, f) != 1)
			break;
		found++;
	}
	if (fclose(f) != 0 || found != 1) {
		fprintf(stderr,
			"%s: %s: expected one flagless PT_LOAD (.multiboot_gap), found %d\n",
			argv[0], argv[1], found);
		return 1;
	}
	return 0;
}
