/* SPDX-License-Identifier: MIT */
/*
 * The stub's thread and its socket: listen (before the sandbox), accept one client at a time,
 * feed its bytes to the packet state machine, frame the replies, tell gdb how the guest ended.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gdb/gdb_stub_internal.h"

void gdb_wake_thread(struct gdb_stub *gdb)
{
	char b = 1;
	ssize_t ignored = write(gdb->wake_wr, &b, 1);
	(void)ignored;
}

void gdb_send_raw(struct gdb_stub *gdb, const char *data, size_t len)
{
	while (len > 0 && gdb->client_fd >= 0) {
		ssize_t n = write(gdb->client_fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) { /* gone or stuck: drop it; the guest runs on (stub_thread) */
			shutdown(gdb->client_fd, SHUT_RDWR);
			return;
		}
		data += n;
		len -= (size_t)n;
	}
}

void gdb_send_packet(struct gdb_stub *gdb, const char *payload, size_t len)
{
	int n = gdb_frame(gdb->out, sizeof gdb->out, payload, len);
	if (n < 0)
		n = gdb_frame(gdb->out, sizeof gdb->out, "E01", 3);
	gdb->out_len = (size_t)n;
	gdb_send_raw(gdb, gdb->out, gdb->out_len);
}

void gdb_send_str(struct gdb_stub *gdb, const char *s)
{
	gdb_send_packet(gdb, s, strlen(s));
}

static void on_stop_event(struct gdb_stub *gdb)
{
	bool pending;
	pthread_mutex_lock(&gdb->lock);
	pending = gdb->stop_pending;
	pthread_mutex_unlock(&gdb->lock);
	if (!gdb->running || !pending)
		return;
	gdb_wait_all_parked(gdb);
	memset(gdb->step, 0, sizeof gdb->step);
	gdb->running = false;
	gdb->g_vcpu = gdb->c_vcpu = gdb->stop_vcpu;
	gdb_send_stop_reply(gdb);
}

static void on_client_bytes(struct gdb_stub *gdb, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n && gdb->client_fd >= 0; i++) {
		switch (gdb_rx_byte(&gdb->rx, buf[i])) {
		case GDB_RX_PACKET:
			if (!gdb->no_ack)
				gdb_send_raw(gdb, "+", 1);
			if (gdb->running) /* all-stop: only Ctrl-C while the guest runs */
				break;
			gdb_handle_packet(gdb, gdb->rx.buf, gdb->rx.len);
			break;
		case GDB_RX_BAD_CHECKSUM:
		case GDB_RX_MALFORMED:
			gdb_send_raw(gdb, "-", 1);
			break;
		case GDB_RX_NACK:
			gdb_send_raw(gdb, gdb->out, gdb->out_len);
			break;
		case GDB_RX_INTERRUPT:
			if (gdb->running)
				gdb_request_stop(gdb, gdb->c_vcpu, GDB_SIGINT, STOP_KIND_SIGNAL);
			break;
		case GDB_RX_ACK:
		case GDB_RX_NONE:
			break;
		}
	}
}

static void on_connect(struct gdb_stub *gdb, int fd)
{
	int one = 1;
	if (!gdb->addr.is_unix)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* A client that stops reading must not hold the stub (and so the VMM's end) forever. */
	struct timeval send_timeout = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
	gdb->client_fd = fd;
	gdb->no_ack = false;
	gdb->running = false;
	gdb_rx_init(&gdb->rx);
	gdb->out_len = 0;
	/* gdb expects a stopped target when it connects (QEMU stops its guest too). */
	gdb_request_stop(gdb, 0, GDB_SIGTRAP, STOP_KIND_SIGNAL);
	gdb_wait_all_parked(gdb);
	gdb->g_vcpu = gdb->c_vcpu = gdb->stop_vcpu;
}

static void send_exit(struct gdb_stub *gdb)
{
	struct stop_request *stop = &gdb->vm->stop;
	char buf[16];
	int reason = atomic_load(&stop->reason);
	if (reason == STOP_GUEST_EXIT)
		snprintf(buf, sizeof buf, "W%02x", stop->status & 0xff);
	else if (reason == STOP_SIGNAL && stop->status > VMM_EXIT_SIGNAL_BASE)
		snprintf(buf, sizeof buf, "X%02x", (stop->status - VMM_EXIT_SIGNAL_BASE) & 0xff);
	else
		snprintf(buf, sizeof buf, "X%02x", 11); /* a fault or another stop: SIGSEGV */
	gdb_send_str(gdb, buf);
}

static void *stub_thread(void *arg)
{
	struct gdb_stub *gdb = arg;
	uint8_t buf[4096];
	for (;;) {
		struct pollfd fds[3] = {
		    {.fd = gdb->wake_rd, .events = POLLIN},
		    {.fd = gdb->listen_fd, .events = POLLIN},
		    {.fd = gdb->client_fd, .events = POLLIN},
		};
		int r = poll(fds, gdb->client_fd >= 0 ? 3 : 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (fds[0].revents) {
			ssize_t ignored = read(gdb->wake_rd, buf, sizeof buf);
			(void)ignored;
			if (atomic_load(&gdb->vm_done)) {
				if (gdb->client_fd >= 0 && gdb->running)
					send_exit(gdb);
				break;
			}
			if (gdb->client_fd >= 0)
				on_stop_event(gdb);
		}
		if (fds[1].revents) {
			int fd = accept4(gdb->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0 && gdb->client_fd >= 0)
				close(fd); /* one client at a time */
			else if (fd >= 0)
				on_connect(gdb, fd);
		}
		if (gdb->client_fd >= 0 && fds[2].revents) {
			ssize_t n = read(gdb->client_fd, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) { /* gone: the guest runs on, as after D */
				gdb_detach(gdb);
				close(gdb->client_fd);
				gdb->client_fd = -1;
				continue;
			}
			on_client_bytes(gdb, buf, (size_t)n);
		}
	}
	if (gdb->client_fd >= 0)
		close(gdb->client_fd);
	gdb->client_fd = -1;
	return NULL;
}

static int listen_on(const struct gdb_address *a, struct vmm_error *err)
{
	int fd;
	if (a->is_unix) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		memcpy(sun.sun_path, a->path, strlen(a->path) + 1);
		struct stat st;
		if (lstat(a->path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode))
				return vmm_error_set(err, -EEXIST, VMM_EXIT_USAGE,
						     "--gdb unix:%s: the path exists and is not a "
						     "socket: give another path",
						     a->path);
			unlink(a->path); /* a stale socket of an earlier run */
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		mode_t old = umask(0177); /* the socket is born 0600 */
		int r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
		umask(old);
		if (r < 0 || chmod(a->path, 0600) < 0)
			goto fail_close;
	} else {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(a->port)};
		inet_pton(AF_INET, a->host, &sin.sin_addr);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
			goto fail_close;
	}
	if (listen(fd, 1) < 0)
		goto fail_close;
	return fd;
fail_close:;
	int e = errno;
	close(fd);
	errno = e;
fail:
	e = errno;
	if (a->is_unix)
		return vmm_error_set(err, -e, VMM_EXIT_HOST_RESOURCES,
				     "--gdb: cannot listen on unix:%s: %s; give a writable path",
				     a->path, strerror(e));
	return vmm_error_set(err, -e, VMM_EXIT_HOST_RESOURCES,
			     "--gdb: cannot listen on %s:%u: %s; give a free port", a->host,
			     a->port, strerror(e));
}

int gdb_stub_start(struct vm *vm, const struct gdb_address *addr, bool wait, struct vmm_error *err)
{
	struct gdb_stub *gdb = calloc(1, sizeof *gdb);
	if (!gdb)
		return vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				     "out of memory for the gdb stub");
	gdb->vm = vm;
	gdb->addr = *addr;
	gdb->client_fd = -1;
	gdb->wake_rd = gdb->wake_wr = -1;
	pthread_mutex_init(&gdb->lock, NULL);
	int caps = kvm_check_extension(&vm->kvm, KVM_CAP_SET_GUEST_DEBUG2);
	gdb->blockirq = caps > 0 ? ((uint32_t)caps & KVM_GUESTDBG_BLOCKIRQ) : 0;
	mem_slots_layout(vm->mem.size, NULL, 0, &gdb->slots); /* vm.c's one RAM slot */
	struct vmm_error probe_err;
	if (gdb_probe_host(vm->cfg.kvm_device, &gdb->host, &probe_err)) {
		/* Could not tell: offer everything and let KVM refuse what it lacks. */
		gdb->host = (struct gdb_host_debug){
		    .single_step = GDB_EMULATED,
		    .sw_breakpoint = GDB_EMULATED,
		    .hw_breakpoint = GDB_EMULATED,
		    .watchpoint = GDB_MISSING,
		    .readonly_mem = kvm_check_extension(&vm->kvm, KVM_CAP_READONLY_MEM) > 0};
	}
	if (wait) /* held before the first instruction, as if stopped there */
		gdb_request_stop(gdb, 0, GDB_SIGTRAP, STOP_KIND_SIGNAL);
	int pipe_fds[2];
	int ret = 0;
	gdb->listen_fd = listen_on(addr, err);
	if (gdb->listen_fd < 0) {
		ret = gdb->listen_fd;
		goto fail;
	}
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				    "--gdb: cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	gdb->wake_rd = pipe_fds[0];
	gdb->wake_wr = pipe_fds[1];
	vm->gdb = gdb;
	int r = pthread_create(&gdb->thread, NULL, stub_thread, gdb);
	if (r) {
		vm->gdb = NULL;
		ret = vmm_error_set(err, -r, VMM_EXIT_HOST_RESOURCES,
				    "--gdb: cannot start the stub's thread: %s", strerror(r));
		goto fail;
	}
	gdb->thread_started = true;
	pthread_setname_np(gdb->thread, "minivmm-gdb"); /* before the sandbox: /proc/self/task */
	if (addr->is_unix)
		fprintf(stderr, "minivmm: gdb: listening on unix:%s%s\n", addr->path,
			wait ? " (the guest waits for gdb)" : "");
	else
		fprintf(stderr, "minivmm: gdb: listening on %s:%u%s\n", addr->host, addr->port,
			wait ? " (the guest waits for gdb)" : "");
	return 0;
fail:
	if (gdb->listen_fd >= 0)
		close(gdb->listen_fd);
	if (gdb->wake_rd >= 0) {
		close(gdb->wake_rd);
		close(gdb->wake_wr);
	}
	free(gdb);
	return ret;
}

void gdb_stub_finish(struct vm *vm)
{
	struct gdb_stub *gdb = vm->gdb;
	if (!gdb)
		return;
	atomic_store(&gdb->vm_done, true);
	gdb_wake_thread(gdb);
	if (gdb->thread_started)
		pthread_join(gdb->thread, NULL);
	close(gdb->listen_fd);
	close(gdb->wake_rd);
	close(gdb->wake_wr);
	pthread_mutex_destroy(&gdb->lock);
	vm->gdb = NULL;
	free(gdb);
}
