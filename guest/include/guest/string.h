/* SPDX-License-Identifier: MIT */
/*
 * Freestanding string and memory helpers (guest/lib/string.c), linked into both the kernel and
 * every user program (each side gets its own private copy). GCC may also emit calls to memcpy,
 * memset, memmove and memcmp on its own, so these four must exist on both sides.
 */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
