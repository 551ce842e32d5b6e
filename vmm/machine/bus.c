/* SPDX-License-Identifier: MIT */
#include "machine/bus.h"

#include <errno.h>
#include <string.h>

#include "machine/guest_mem.h" /* ranges_overlap() */

void bus_init(struct bus *bus, const char *space_name)
{
	memset(bus, 0, sizeof *bus);
	bus->space_name = space_name;
}

static bool contains(uint64_t base, uint64_t len, uint64_t addr, uint64_t alen)
{
	return addr >= base && addr - base < len && alen <= len - (addr - base);
}

/* Whether some access would be claimed by both a and b (bus.h: never allowed). */
static bool claims_collide(const struct bus_range *a, const struct bus_range *b)
{
	if (a->exact && b->exact)
		return a->base == b->base && a->len == b->len;
	if (a->exact)
		return contains(b->base, b->len, a->base, a->len);
	if (b->exact)
		return contains(a->base, a->len, b->base, b->len);
	return ranges_overlap(a->base, a->len, b->base, b->len);
}

static int add_range(struct bus *bus, const struct bus_range *range)
{
	if (range->len == 0 || range->base + range->len < range->base || !range->ops)
		return -EINVAL;
	for (unsigned i = 0; i < bus->count; i++)
		if (claims_collide(range, &bus->ranges[i]))
			return -EEXIST;
	if (bus->count == BUS_MAX_RANGES)
		return -ENOSPC;
	bus->ranges[bus->count++] = *range;
	return 0;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		 const struct bus_device_ops *ops, void *opaque)
{
	return add_range(bus,
			 &(struct bus_range){
			     .base = base, .len = len, .name = name, .ops = ops, .opaque = opaque});
}

int bus_register_exact(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		       const struct bus_device_ops *ops, void *opaque)
{
	return add_range(bus, &(struct bus_range){.base = base,
						  .len = len,
						  .name = name,
						  .ops = ops,
						  .opaque = opaque,
						  .exact = true});
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr, uint32_t len)
{
	/* A handful of ranges: a linear scan beats anything cleverer on this path. */
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_range *r = &bus->ranges[i];
		/* exact is looked at only for a range that contains the access: nothing more for
		 * the ranges passed over on the exit path. */
		if (contains(r->base, r->len, addr, len) && (!r->exact || len == r->len))
			return r;
	}
	return NULL;
}

const struct bus_range *bus_access(struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len,
				   bool is_write)
{
	const struct bus_range *r = bus_find(bus, addr, len);
	if (!r) {
		if (is_write) {
			bus->unclaimed_writes++;
		} else {
			bus->unclaimed_reads++;
			memset(data, 0xff, len);
		}
		return NULL;
	}
	if (is_write) {
		if (r->ops->write)
			r->ops->write(r->opaque, addr - r->base, data, len);
	} else if (r->ops->read) {
		r->ops->read(r->opaque, addr - r->base, data, len);
	} else {
		memset(data, 0xff, len);
	}
	return r;
}
