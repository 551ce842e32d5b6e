/* SPDX-License-Identifier: MIT */
/*
 * The default guest: a banner from ring 3 with what the program can learn about its machine, the
 * CPU through CPUID (which ring 3 may execute) and RAM and command line through a system call.
 */
#include "guest/user.h"
#include "guest/x86.h"

#define CPUID_VENDOR	   0x0
#define CPUID_EXTENDED_MAX 0x80000000u
#define CPUID_BRAND_FIRST  0x80000002u
#define CPUID_BRAND_LAST   0x80000004u

/* The 12-character vendor ID from leaf 0: EBX, EDX, ECX in that order. */
static void cpu_vendor(char vendor[13])
{
	uint32_t regs[4];

	cpuid(CPUID_VENDOR, 0, regs);
	const uint32_t words[3] = {regs[1], regs[3], regs[2]};
	for (int i = 0; i < 12; i++)
		vendor[i] = (char)(words[i / 4] >> (i % 4 * 8));
	vendor[12] = '\0';
}

/* The 48-character brand string from leaves 0x80000002-4, without its leading spaces. */
static const char *cpu_brand(char brand[49])
{
	uint32_t regs[4];

	cpuid(CPUID_EXTENDED_MAX, 0, regs);
	if (regs[0] < CPUID_BRAND_LAST)
		return "(no brand string)";
	for (uint32_t leaf = CPUID_BRAND_FIRST; leaf <= CPUID_BRAND_LAST; leaf++) {
		cpuid(leaf, 0, regs);
		for (int i = 0; i < 16; i++)
			brand[(leaf - CPUID_BRAND_FIRST) * 16 + i] =
			    (char)(regs[i / 4] >> (i % 4 * 8));
	}
	brand[48] = '\0';
	const char *start = brand;
	while (*start == ' ')
		start++;
	return start;
}

/* Prints text in C-string quoting: quotes and backslashes escaped, other bytes outside printable
 * ASCII as \xNN, so the line stays one line whatever the command line holds. */
static void print_quoted(const char *text)
{
	print("\"");
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\x%02x", c);
		else
			write(text, 1);
	}
	print("\"");
}

int main(void)
{
	static struct minivmm_boot_info info;
	char vendor[13], brand[49];

	print("hello from ring 3!\n");
	cpu_vendor(vendor);
	printf("cpu: %s  %s\n", vendor, cpu_brand(brand));
	if (get_boot_info(&info, sizeof(info)) != (int64_t)sizeof(info)) {
		print("hello: the boot info system call failed\n");
		return 1;
	}
	info.cmdline[MINIVMM_CMDLINE_MAX - 1] = '\0';
	printf("ram: %lu MiB\n", (unsigned long)(info.ram_size >> 20));
	print("cmdline: ");
	print_quoted(info.cmdline);
	print("\n");
	print("bye (exit 0)\n");
	return 0;
}
