/* SPDX-License-Identifier: MIT */
#include "cli/builtin_guests.h"

#include <string.h>

/* Symbols from the generated builtin_guests_blob.S (.incbin of each guest ELF). */
#define BUILTIN_GUEST(id, name)                                                                    \
	extern const unsigned char guest_blob_##id[], guest_blob_##id##_end[];
#include "builtin_guests_table.h"
#undef BUILTIN_GUEST

static struct builtin_guest builtin_guests[] = {
#define BUILTIN_GUEST(id, name) {name, guest_blob_##id, 0},
#include "builtin_guests_table.h"
#undef BUILTIN_GUEST
};

static const unsigned char *const builtin_guest_ends[] = {
#define BUILTIN_GUEST(id, name) guest_blob_##id##_end,
#include "builtin_guests_table.h"
#undef BUILTIN_GUEST
};

#define BUILTIN_GUEST_COUNT (sizeof builtin_guests / sizeof builtin_guests[0])

const struct builtin_guest *builtin_guest_at(size_t index)
{
	if (index >= BUILTIN_GUEST_COUNT)
		return NULL;
	struct builtin_guest *g = &builtin_guests[index];
	g->size = (size_t)(builtin_guest_ends[index] - g->image);
	return g;
}

const struct builtin_guest *builtin_guest_find(const char *name)
{
	for (size_t i = 0; i < BUILTIN_GUEST_COUNT; i++)
		if (!name || strcmp(builtin_guests[i].name, name) == 0)
			return builtin_guest_at(i);
	return NULL;
}
