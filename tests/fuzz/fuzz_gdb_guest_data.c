/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: guest data the gdb stub decodes while the guest runs (vmm/gdb/gdb_frame.c: an IDT
 * gate, the interrupt frame a #BP/#DB pushed, GDT descriptors) and the read-only page list a
 * watchpoint makes (vmm/machine/mem_slots.c). The input is cut into those pieces, in that order.
 *
 * Invariants: an accepted frame comes from ring 3 with 16-bit selectors; an accepted descriptor
 * is a present code or data segment with the selector given; an accepted slot layout covers RAM
 * exactly once, in order, with at most MEM_SLOTS_MAX slots, read-only exactly on the pages asked.
 */
#include <string.h>

#include "fuzz_common.h"
#include "gdb/gdb_frame.h"
#include "machine/mem_slots.h"

static void check_layout(const uint8_t *data, size_t size)
{
	uint64_t ram = 64ull << 20, pages[MEM_SLOTS_MAX_RO_PAGES + 1];
	unsigned n = 0;
	for (; n < MEM_SLOTS_MAX_RO_PAGES + 1 && size >= 4; n++, data += 4, size -= 4) {
		uint32_t v;
		memcpy(&v, data, 4);
		/* Mostly page-aligned pages inside RAM, now and then anything. */
		pages[n] = v & 1 ? v : ((uint64_t)v << 11) & ~(MEM_SLOTS_PAGE - 1);
	}
	struct mem_slot_layout l;
	if (mem_slots_layout(ram, pages, n, &l))
		return;
	FUZZ_CHECK(l.count >= 1 && l.count <= MEM_SLOTS_MAX);
	uint64_t at = 0;
	for (unsigned i = 0; i < l.count; i++) {
		FUZZ_CHECK(l.slot[i].gpa == at && l.slot[i].size > 0);
		FUZZ_CHECK(i == 0 || l.slot[i].readonly != l.slot[i - 1].readonly);
		for (uint64_t a = l.slot[i].gpa;
		     a < l.slot[i].gpa + l.slot[i].size && l.slot[i].readonly;
		     a += MEM_SLOTS_PAGE) {
			bool asked = false;
			for (unsigned k = 0; k < n; k++)
				asked |= pages[k] == a;
			FUZZ_CHECK(asked);
		}
		at += l.slot[i].size;
	}
	FUZZ_CHECK(at == ram);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < X86_IDT_GATE_SIZE + X86_IRET_FRAME_SIZE + 8 + 2)
		return 0;
	uint64_t handler;
	x86_idt_gate_handler(data, &handler);
	data += X86_IDT_GATE_SIZE;
	size -= X86_IDT_GATE_SIZE;

	struct x86_iret_frame f;
	if (x86_iret_frame_from_user(data, &f) == 0) {
		FUZZ_CHECK((f.cs & 3) == 3 && (f.ss & 3) == 3 && f.cs <= 0xffff && f.ss <= 0xffff);
		struct kvm_regs regs;
		memset(&regs, 0, sizeof regs);
		x86_user_state_from_frame(&f, data[0] & 1 ? X86_VECTOR_BP : X86_VECTOR_DB,
					  data[1] & 1, &regs);
		FUZZ_CHECK(regs.rsp == f.rsp);
	}
	data += X86_IRET_FRAME_SIZE;
	size -= X86_IRET_FRAME_SIZE;

	uint64_t desc;
	uint16_t selector;
	memcpy(&desc, data, 8);
	memcpy(&selector, data + 8, 2);
	struct kvm_segment seg;
	if (x86_segment_from_descriptor(desc, selector, &seg) == 0)
		FUZZ_CHECK(seg.present && seg.s && seg.selector == selector && (seg.type & 1));
	check_layout(data + 10, size - 10);
	return 0;
}
