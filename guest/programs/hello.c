/* SPDX-License-Identifier: MIT */
/*
 * The default guest: a banner from ring 3 with what the program can learn about its machine, the
 * CPU through CPUID (which ring 3 may execute) and RAM and command line through a system call.
 */
#include "guest/format.h"
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

/* Each byte at most "\xNN" (4 characters), plus the quotes and the NUL. */
#define QUOTED_MAX (4 * MINIVMM_CMDLINE_MAX + 3)

/* text in C-string quoting: quotes and backslashes escaped, other bytes outside printable ASCII
 * as \xNN, so the line stays one line whatever the command line holds. Built in memory so that
 * the line goes out in one system call rather than one per piece. */
static const char *quoted(const char *text, char out[QUOTED_MAX])
{
	char *o = out;

	*o++ = '"';
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			o += snprintf(o, 5, "\\x%02x", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

int main(void)
{
	static struct minivmm_boot_info info;
	char quoted_cmdline[QUOTED_MAX];
	char vendor[13], brand[49];

	print("hello from ring 3!\n");
	cpu_vendor(vendor);
	printf("cpu: %s  %s\n", vendor, cpu_brand(brand));
	if (get_boot_info(&info, sizeof(info)) != (int64_t)sizeof(info)) {
		print("hello: the boot info system call failed\n");
		return 1;
	}
	info.cmdline[MINIVMM_CMDLINE_MAX - 1] = '\0';
	/* One printf, so one system call (each is a trap and a trip through the kernel). */
	printf("ram: %lu MiB\ncmdline: %s\nbye (exit 0)\n", (unsigned long)(info.ram_size >> 20),
	       quoted(info.cmdline, quoted_cmdline));
	return 0;
}
