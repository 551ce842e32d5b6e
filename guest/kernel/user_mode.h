/* SPDX-License-Identifier: MIT */
/*
 * Ring 3: opening the program's memory to it and the first entry.
 */
#ifndef GUEST_USER_MODE_H
#define GUEST_USER_MODE_H

#include <stdint.h>
#include <stdnoreturn.h>

/* Sets U/S on the 2 MiB pages covering [begin, end) and on the PML4/PDPT entries above them.
 * Returns 0, or -1 if the VMM's tables do not map that range with present 2 MiB pages. */
int make_user_accessible(uint64_t begin, uint64_t end);

/* Drops to ring 3 at rip with stack rsp (syscall_entry.S). */
noreturn void enter_user_mode(uint64_t rip, uint64_t rsp);

#endif
