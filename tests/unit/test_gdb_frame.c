/* SPDX-License-Identifier: MIT */
/* The ring-3 debugging path's decoders (vmm/gdb/gdb_frame.c): IDT gates, the interrupt frame a
 * #BP/#DB pushes, GDT descriptors, and the user state recovered from the frame. All guest data:
 * malformed input is refused, never trusted. */
#include <errno.h>
#include <string.h>

#include "gdb/gdb_frame.h"
#include "test_check_main.h"

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* A 64-bit gate for handler with type (0xe interrupt, 0xf trap) and present bit. */
static void make_gate(uint8_t gate[16], uint64_t handler, unsigned type, int present)
{
	memset(gate, 0, 16);
	gate[0] = (uint8_t)handler;
	gate[1] = (uint8_t)(handler >> 8);
	gate[2] = 0x08; /* selector: kernel code */
	gate[5] = (uint8_t)((present ? 0x80 : 0) | type);
	gate[6] = (uint8_t)(handler >> 16);
	gate[7] = (uint8_t)(handler >> 24);
	uint32_t high = (uint32_t)(handler >> 32);
	memcpy(gate + 8, &high, 4);
}

START_TEST(test_idt_gate)
{
	uint8_t gate[16];
	uint64_t handler = 0;
	make_gate(gate, 0xffffffff801e0a30ull, 0xe, 1);
	ck_assert_int_eq(x86_idt_gate_handler(gate, &handler), 0);
	ck_assert_uint_eq(handler, 0xffffffff801e0a30ull);
	make_gate(gate, 0x1e0a40, 0xf, 1); /* a trap gate */
	ck_assert_int_eq(x86_idt_gate_handler(gate, &handler), 0);
	ck_assert_uint_eq(handler, 0x1e0a40);
	make_gate(gate, 0x1e0a40, 0xe, 0); /* not present */
	ck_assert_int_eq(x86_idt_gate_handler(gate, &handler), -ENOENT);
	make_gate(gate, 0x1e0a40, 0x5, 1); /* a task gate: not in 64-bit mode */
	ck_assert_int_eq(x86_idt_gate_handler(gate, &handler), -ENOENT);
	memset(gate, 0, 16); /* an empty IDT slot */
	ck_assert_int_eq(x86_idt_gate_handler(gate, &handler), -ENOENT);
}
END_TEST

static void make_frame(uint8_t f[40], uint64_t rip, uint64_t cs, uint64_t rflags, uint64_t rsp,
		       uint64_t ss)
{
	put64(f, rip);
	put64(f + 8, cs);
	put64(f + 16, rflags);
	put64(f + 24, rsp);
	put64(f + 32, ss);
}

START_TEST(test_frame_from_user)
{
	uint8_t bytes[40];
	struct x86_iret_frame f;
	make_frame(bytes, 0x200fe1, 0x23, 0x202, 0x207498, 0x1b);
	ck_assert_int_eq(x86_iret_frame_from_user(bytes, &f), 0);
	ck_assert_uint_eq(f.rip, 0x200fe1);
	ck_assert_uint_eq(f.cs, 0x23);
	ck_assert_uint_eq(f.rflags, 0x202);
	ck_assert_uint_eq(f.rsp, 0x207498);
	ck_assert_uint_eq(f.ss, 0x1b);
	/* From ring 0: not a user frame (the guest's kernel hit its own int3). */
	make_frame(bytes, 0x1e0000, 0x08, 0x202, 0x1f0000, 0x10);
	ck_assert_int_eq(x86_iret_frame_from_user(bytes, &f), -EINVAL);
	/* Garbage: selector bits above 15, RFLAGS bit 1 clear, SS not ring 3. */
	make_frame(bytes, 0x200fe1, 0x10023, 0x202, 0x207498, 0x1b);
	ck_assert_int_eq(x86_iret_frame_from_user(bytes, &f), -EINVAL);
	make_frame(bytes, 0x200fe1, 0x23, 0x200, 0x207498, 0x1b);
	ck_assert_int_eq(x86_iret_frame_from_user(bytes, &f), -EINVAL);
	make_frame(bytes, 0x200fe1, 0x23, 0x202, 0x207498, 0x18);
	ck_assert_int_eq(x86_iret_frame_from_user(bytes, &f), -EINVAL);
	memset(bytes, 0xff, sizeof bytes);
	ck_assert_int_eq(x86_iret_frame_from_user(bytes, &f), -EINVAL);
}
END_TEST

START_TEST(test_segment_descriptors)
{
	struct kvm_segment s;
	/* 64-bit user code: P, DPL 3, S, type 0xb (execute/read, accessed), G, L. */
	ck_assert_int_eq(x86_segment_from_descriptor(0x00affb000000ffffull, 0x23, &s), 0);
	ck_assert_uint_eq(s.base, 0);
	ck_assert_uint_eq(s.limit, 0xffffffff);
	ck_assert_uint_eq(s.selector, 0x23);
	ck_assert_uint_eq(s.type, 0xb);
	ck_assert_uint_eq(s.dpl, 3);
	ck_assert_uint_eq(s.s, 1);
	ck_assert_uint_eq(s.present, 1);
	ck_assert_uint_eq(s.l, 1);
	ck_assert_uint_eq(s.db, 0);
	ck_assert_uint_eq(s.g, 1);
	/* User data, never loaded (accessed clear in the GDT): the register has it set. */
	ck_assert_int_eq(x86_segment_from_descriptor(0x00cff2000000ffffull, 0x1b, &s), 0);
	ck_assert_uint_eq(s.type, 0x3);
	ck_assert_uint_eq(s.db, 1);
	ck_assert_uint_eq(s.l, 0);
	/* Base and a byte-granular limit. */
	ck_assert_int_eq(x86_segment_from_descriptor(0x12409a345678abcdull, 0x08, &s), 0);
	ck_assert_uint_eq(s.base, 0x12345678);
	ck_assert_uint_eq(s.limit, 0xabcd);
	ck_assert_uint_eq(s.g, 0);
	/* Not present, a system descriptor (a TSS), the null descriptor. */
	ck_assert_int_eq(x86_segment_from_descriptor(0x00af7b000000ffffull, 0x23, &s), -EINVAL);
	ck_assert_int_eq(x86_segment_from_descriptor(0x00008b000000ffffull, 0x28, &s), -EINVAL);
	ck_assert_int_eq(x86_segment_from_descriptor(0, 0, &s), -EINVAL);
}
END_TEST

START_TEST(test_user_state)
{
	struct x86_iret_frame f = {0x200fe1, 0x23, 0x302, 0x207498, 0x1b};
	struct kvm_regs r;
	memset(&r, 0, sizeof r);
	/* #BP: the frame's RIP is after the int3; the int3 itself is where gdb stopped. */
	x86_user_state_from_frame(&f, X86_VECTOR_BP, true, &r);
	ck_assert_uint_eq(r.rip, 0x200fe0);
	ck_assert_uint_eq(r.rsp, 0x207498);
	ck_assert_uint_eq(r.rflags, 0x302); /* the guest's own TF kept */
	/* #DB of a step: RIP is the next instruction; the debugger's TF goes. */
	x86_user_state_from_frame(&f, X86_VECTOR_DB, false, &r);
	ck_assert_uint_eq(r.rip, 0x200fe1);
	ck_assert_uint_eq(r.rflags, 0x202);
	/* Other registers are the guest's: untouched. */
	r.rax = 42;
	x86_user_state_from_frame(&f, X86_VECTOR_DB, true, &r);
	ck_assert_uint_eq(r.rax, 42);
	ck_assert_uint_eq(r.rflags, 0x302);
}
END_TEST

static Suite *gdb_frame_suite(void)
{
	Suite *s = suite_create("gdb_frame");
	TCase *tc = tcase_create("decode");
	tcase_add_test(tc, test_idt_gate);
	tcase_add_test(tc, test_frame_from_user);
	tcase_add_test(tc, test_segment_descriptors);
	tcase_add_test(tc, test_user_state);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(gdb_frame_suite)
