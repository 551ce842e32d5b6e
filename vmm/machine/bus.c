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

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		 const struct bus_device_ops *ops, void *opaque)
{
	if (len == 0 || base + len < base || !ops)
		return -EINVAL;
	for (unsigned i = 0; i < bus->count; i++)
		if (ranges_overlap(base, len, bus->ranges[i].base, bus->ranges[i].len))
			return -EEXIST;
	if (bus->count == BUS_MAX_RANGES)
		return -ENOSPC;
	bus->ranges[bus->count++] = (struct bus_range){
	    .base = base, .len = len, .name = name, .ops = ops, .opaque = opaque};
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr, uint32_t len)
{
	/* A handful of ranges: a linear scan beats anything cleverer on this path. */
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_range *r = &bus->ranges[i];
		if (addr >= r->base && addr - r->base < r->len && len <= r->len - (addr - r->base))
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
