/* SPDX-License-Identifier: MIT */
/* The control socket's file (api_server.h's --api-sock PATH): created, and removed at the end. */
#ifndef MINIVMM_API_SOCKET_FILE_H
#define MINIVMM_API_SOCKET_FILE_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/un.h>

#include "util/vmm_error.h"

struct api_socket_file {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd; /* listening, non-blocking, close-on-exec; -1: none */
	dev_t dev;     /* the socket file we created, so that only it is removed */
	ino_t ino;
	int janitor_fd; /* our end of the janitor's socket pair, or -1 */
};

/* Refuses a path that exists unless it is a stale socket of this user's (nothing listens there:
 * removed), then creates the socket there with mode 0600 and listens. With `janitor`, forks a
 * small process that removes the file when minivmm ends, however it ends (the sandbox allows no
 * unlink); call it while the process has one thread. Returns 0, or -errno with err set (status
 * 64 or 71) and nothing left behind. */
int api_socket_file_open(struct api_socket_file *file, const char *path, bool janitor,
			 struct vmm_error *err);

/* Closes the listening socket and removes the file (through the janitor if there is one). */
void api_socket_file_close(struct api_socket_file *file);

#endif
