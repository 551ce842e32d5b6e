/* SPDX-License-Identifier: MIT */
/*
 * Opens the program's region to ring 3 in the VMM's identity map (4-level paging, Intel SDM
 * vol. 3A 4.5). A linear address is user-accessible only if U/S (bit 2) is set in every
 * paging-structure entry on its walk (vol. 3A 4.6.1), so the PML4 and PDPT entries above the
 * region get U/S as well; the kernel stays safe because all other PD entries keep U/S clear.
 */
#include <stdint.h>

#include "guest/x86.h"
#include "user_mode.h"

#define PTE_PRESENT   0x1ull
#define PTE_USER      0x4ull
#define PTE_PAGE_SIZE 0x80ull		    /* in a PD entry: maps a 2 MiB page */
#define PTE_ADDRESS   0x000ffffffffff000ull /* physical address bits of an entry */
#define LARGE_PAGE    (2ull << 20)

static uint64_t *next_table(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDRESS);
}

int make_user_accessible(uint64_t begin, uint64_t end)
{
	uint64_t cr3 = read_cr3();
	uint64_t *pml4 = next_table(cr3);

	for (uint64_t va = begin & ~(LARGE_PAGE - 1); va < end; va += LARGE_PAGE) {
		uint64_t *pml4e = &pml4[va >> 39 & 511];
		if (!(*pml4e & PTE_PRESENT))
			return -1;
		uint64_t *pdpte = &next_table(*pml4e)[va >> 30 & 511];
		if (!(*pdpte & PTE_PRESENT) || (*pdpte & PTE_PAGE_SIZE))
			return -1;
		uint64_t *pde = &next_table(*pdpte)[va >> 21 & 511];
		if ((*pde & (PTE_PRESENT | PTE_PAGE_SIZE)) != (PTE_PRESENT | PTE_PAGE_SIZE))
			return -1;
		*pml4e |= PTE_USER;
		*pdpte |= PTE_USER;
		*pde |= PTE_USER;
		/* A translation or paging-structure entry cached without U/S would give ring 3 a
		 * spurious page fault (vol. 3A 4.10.4.3), fatal here. INVLPG drops the page's TLB
		 * entry and every paging-structure cache entry (4.10.4.1; AMD APM vol. 3, INVLPG:
		 * the upper-level entries cached for the address), where a CR3 reload would flush
		 * the kernel's translations too, which KVM's shadow paging then builds again. */
		invlpg(va);
	}
	return 0;
}
