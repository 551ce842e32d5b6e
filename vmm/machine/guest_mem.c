/* SPDX-License-Identifier: MIT */
#include "machine/guest_mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>

#include "minivmm/boot_abi.h"

/* What the host must allow for size bytes of guest RAM: 0, or an error naming the limit. */
static int check_size(uint64_t size, struct vmm_error *err)
{
	if (size < MINIVMM_RAM_MIN || size > MINIVMM_RAM_MAX)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "guest memory of %llu bytes is out of range: give -m between "
				     "2M and 3G",
				     (unsigned long long)size);
	if (size % 4096)
		return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
				     "guest memory of %llu bytes is not a whole number of 4 KiB "
				     "pages: round -m to a multiple of 4K",
				     (unsigned long long)size);
	/* MAP_NORESERVE lets mmap succeed for any size; refuse what the host could never back
	 * now, rather than let the guest die of the OOM killer later. */
	struct sysinfo si;
	if (sysinfo(&si) == 0 && si.mem_unit &&
	    size / si.mem_unit > (uint64_t)si.totalram + si.totalswap)
		return vmm_error_set(
		    err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
		    "-m %llu MiB is more than this host's %llu MiB of memory and "
		    "swap: give a smaller -m",
		    (unsigned long long)(size >> 20),
		    (unsigned long long)(((uint64_t)si.totalram + si.totalswap) * si.mem_unit >>
					 20));
	/* The address-space limit (ulimit -v) would make the mmap below fail: say which limit. */
	struct rlimit as_limit;
	if (getrlimit(RLIMIT_AS, &as_limit) == 0 && as_limit.rlim_cur != RLIM_INFINITY &&
	    size > (uint64_t)as_limit.rlim_cur)
		return vmm_error_set(
		    err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
		    "-m %llu MiB is more than this process may map: its address-space "
		    "limit (ulimit -v) is %llu MiB; give a smaller -m or raise the limit",
		    (unsigned long long)(size >> 20),
		    (unsigned long long)(as_limit.rlim_cur >> 20));
	return 0;
}

static int map_ram(struct guest_mem *mem, uint64_t size, int fd, uint64_t offset,
		   struct vmm_error *err)
{
	memset(mem, 0, sizeof *mem);
	int ret = check_size(size, err);
	if (ret)
		return ret;
	int flags = MAP_PRIVATE | MAP_NORESERVE | (fd < 0 ? MAP_ANONYMOUS : 0);
	void *host = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, (off_t)offset);
	if (host == MAP_FAILED)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				     "cannot map %llu MiB of guest memory (%s): give a smaller -m "
				     "(or raise ulimit -v)",
				     (unsigned long long)(size >> 20), strerror(errno));
	/* Guest RAM is the guest's business: keep it out of core dumps of the VMM, and out of any
	 * process it forks (the control socket's janitor, host/helper_process.h), which would
	 * otherwise share it copy-on-write. */
	madvise(host, size, MADV_DONTDUMP);
	madvise(host, size, MADV_DONTFORK);
	mem->host = host;
	mem->size = size;
	mem->owns_mapping = true;
	return 0;
}

int guest_mem_init(struct guest_mem *mem, uint64_t size, struct vmm_error *err)
{
	return map_ram(mem, size, -1, 0, err);
}

int guest_mem_map_file(struct guest_mem *mem, uint64_t size, int fd, uint64_t offset,
		       struct vmm_error *err)
{
	return map_ram(mem, size, fd, offset, err);
}

void guest_mem_wrap(struct guest_mem *mem, void *buffer, uint64_t size)
{
	mem->host = buffer;
	mem->size = size;
	mem->owns_mapping = false;
}

void guest_mem_destroy(struct guest_mem *mem)
{
	if (mem->owns_mapping && mem->host)
		munmap(mem->host, mem->size);
	memset(mem, 0, sizeof *mem);
}

bool guest_mem_range_ok(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	/* Written so that nothing can overflow: gpa <= size first, then len <= size - gpa. */
	return mem->host && gpa <= mem->size && len <= mem->size - gpa;
}

void *guest_mem_gpa_to_hva(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (!guest_mem_range_ok(mem, gpa, len))
		return NULL;
	return mem->host + gpa;
}

bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	if (alen == 0 || blen == 0)
		return false;
	/* a + alen may overflow; compare via distances instead. */
	if (a <= b)
		return b - a < alen;
	return a - b < blen;
}
