/* SPDX-License-Identifier: MIT */
/*
 * Flat binary loader: the image is raw bytes (objcopy -O binary) copied to one guest-physical
 * address, where execution also begins. It carries no headers, so the caller supplies the
 * address; the loader only checks that the bytes fit in RAM outside the VMM's reserved pages.
 */
#include "loader/loader.h"

#include <errno.h>
#include <string.h>

#include "loader/load_refusal.h"
#include "minivmm/boot_abi.h"

/* Outside RAM: the smallest -m (in whole MiB) that would hold it, when there is one. */
static int refuse_outside_ram(const struct guest_mem *mem, uint64_t load_addr, size_t size,
			      struct vmm_error *err)
{
	uint64_t end;
	if (__builtin_add_overflow(load_addr, (uint64_t)size, &end) || end > MINIVMM_RAM_MAX)
		return vmm_error_set(err, -ENOEXEC, VMM_EXIT_GUEST_IMAGE,
				     "flat image of %zu bytes at 0x%llx ends beyond the %llu MiB "
				     "maximum of guest RAM: give a lower load address",
				     size, ull(load_addr), ull(MINIVMM_RAM_MAX / MIB));
	return vmm_error_set(err, -ENOEXEC, VMM_EXIT_GUEST_IMAGE,
			     "flat image [0x%llx, 0x%llx) lies outside the guest's %llu MiB of "
			     "RAM: give -m %lluM or more",
			     ull(load_addr), ull(end), ull(mem->size / MIB),
			     ull(ram_mib_to_hold(end)));
}

int flat_load_image(struct guest_mem *mem, const struct load_constraints *limits, const void *image,
		    size_t size, uint64_t load_addr, struct load_result *out, struct vmm_error *err)
{
	const uint64_t reserved_end = limits ? limits->reserved_end : 0;
	if (size == 0 || !image)
		return vmm_error_set(
		    err, -ENOEXEC, VMM_EXIT_GUEST_IMAGE,
		    "flat guest image is empty (0 bytes): give a non-empty binary");
	/* guest_mem_range_ok() cannot wrap, whatever load_addr and size are. */
	if (!guest_mem_range_ok(mem, load_addr, size))
		return refuse_outside_ram(mem, load_addr, size, err);
	if (ranges_overlap(load_addr, size, 0, reserved_end))
		return vmm_error_set(
		    err, -ENOEXEC, VMM_EXIT_GUEST_IMAGE,
		    "flat image [0x%llx, 0x%llx) overlaps the VMM's reserved pages "
		    "[0, 0x%llx): load it at 0x%llx or above",
		    ull(load_addr), ull(load_addr + size), ull(reserved_end), ull(reserved_end));
	void *dst = guest_mem_gpa_to_hva(mem, load_addr, size);
	if (!dst) /* checked above: this would be a minivmm bug */
		return vmm_error_set(err, -EFAULT, VMM_EXIT_INTERNAL,
				     "flat image escaped the loader's RAM check");
	memcpy(dst, image, size);
	if (out)
		*out = (struct load_result){
		    .entry = load_addr, .load_begin = load_addr, .load_end = load_addr + size};
	return 0;
}
