/* SPDX-License-Identifier: MIT */
/*
 * `minivmm run --api-sock PATH`: a unix stream socket (mode 0600) where clients send requests
 * (api_request.h) and receive replies and the VM's events, one JSON object per line each way.
 *
 * One thread serves every client with poll(): each client has a bounded input line
 * (API_MAX_REQUEST) and a bounded queue of output (API_MAX_PENDING_OUT); a client that goes over
 * either is told why and dropped, so no client can hold the VM, the console or another client.
 * docs/api.md describes the protocol, every command and every error.
 */
#ifndef MINIVMM_API_SERVER_H
#define MINIVMM_API_SERVER_H

#include <stdbool.h>

#include "util/vmm_error.h"

#define API_MAX_CLIENTS	    8
#define API_MAX_PENDING_OUT (256 * 1024) /* replies and events a client has not read yet */

struct vm;
struct api_server;

/* Creates and binds the socket at path (refusing a path that exists, unless it is a stale
 * socket of this user's: nothing listens there). With `janitor`, forks a small process that
 * removes the socket when minivmm ends, however it ends (the sandbox allows no unlink); call it
 * while the process has one thread. Returns 0 or -errno with err set (status 64 or 71). */
int api_server_open(struct api_server **out, const char *path, bool janitor, struct vmm_error *err);

/* Starts serving vm (after vm_create, before vm_run). */
int api_server_start(struct api_server *server, struct vm *vm, struct vmm_error *err);

/* The listening socket, for the sandbox's accept4 rule. */
int api_server_listen_fd(const struct api_server *server);

/* After vm_run: sends the final events (powered_off, stopped with the status), gives clients up
 * to a second to read them, closes everything, removes the socket and frees server. */
void api_server_finish(struct api_server *server);

#endif
