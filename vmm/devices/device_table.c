/* SPDX-License-Identifier: MIT */
#include "devices/device_table.h"

#include <errno.h>
#include <string.h>

int device_table_add(struct device_table *table, const char *name, void *state,
		     void (*destroy)(void *state), void (*reset)(void *state),
		     struct vmm_error *err)
{
	if (table->count == DEVICE_TABLE_MAX)
		return vmm_error_set(err, -ENOSPC, VMM_EXIT_INTERNAL, "too many devices");
	table->entries[table->count++] =
	    (struct device_entry){.name = name, .state = state, .destroy = destroy, .reset = reset};
	return 0;
}

static struct device_entry *find_by_state(struct device_table *table, const void *state)
{
	for (unsigned i = 0; i < table->count; i++)
		if (table->entries[i].state == state)
			return &table->entries[i];
	return NULL;
}

int device_table_set_snapshot(struct device_table *table, const void *state,
			      size_t (*save)(void *state, void *buf),
			      int (*load)(void *state, const void *buf, size_t len))
{
	struct device_entry *e = find_by_state(table, state);
	if (!e)
		return -ENOENT;
	e->save = save;
	e->load = load;
	return 0;
}

int device_table_set_snapshot_clock(struct device_table *table, const void *state,
				    uint16_t clock_offset)
{
	struct device_entry *e = find_by_state(table, state);
	if (!e)
		return -ENOENT;
	e->has_clock = true;
	e->clock_offset = clock_offset;
	return 0;
}

void device_table_reset_all(struct device_table *table)
{
	for (unsigned i = 0; i < table->count; i++)
		if (table->entries[i].reset)
			table->entries[i].reset(table->entries[i].state);
}

void device_table_destroy_all(struct device_table *table)
{
	for (unsigned i = table->count; i-- > 0;)
		if (table->entries[i].destroy)
			table->entries[i].destroy(table->entries[i].state);
	table->count = 0;
}

const struct device_entry *device_table_find(const struct device_table *table, const char *name)
{
	for (unsigned i = 0; i < table->count; i++)
		if (strcmp(table->entries[i].name, name) == 0)
			return &table->entries[i];
	return NULL;
}
