/* SPDX-License-Identifier: MIT */
/*
 * The control socket's file: the checks before it is created (nothing there, or a stale socket of
 * this user's), its creation with mode 0600, and its removal when minivmm ends, by minivmm or,
 * since the sandbox allows no unlink, by the janitor process.
 */
#include "api/api_socket_file.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_server.h"
#include "host/helper_process.h"

/* Is something listening at path? 0: no (stale), 1: yes, -errno: cannot tell. */
static int socket_in_use(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	memcpy(addr.sun_path, path, strlen(path) + 1);
	int r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
	int e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS)
		return 1;
	return e == ECONNREFUSED ? 0 : -e;
}

/* Refuses what is at path unless it is nothing, or a stale socket of this user's (removed). */
static int clear_path(const char *path, struct vmm_error *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return vmm_error_set(err, -errno, VMM_EXIT_USAGE,
				     "--api-sock %s: %s: give another path", path, strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return vmm_error_set(err, -EEXIST, VMM_EXIT_USAGE,
				     "--api-sock %s exists and is not a socket: remove it or give "
				     "another path",
				     path);
	if (st.st_uid != geteuid())
		return vmm_error_set(
		    err, -EPERM, VMM_EXIT_USAGE,
		    "--api-sock %s is a socket of user %u, not yours: give another "
		    "path",
		    path, (unsigned)st.st_uid);
	int used = socket_in_use(path);
	if (used != 0)
		return vmm_error_set(err, used > 0 ? -EADDRINUSE : used, VMM_EXIT_USAGE,
				     "--api-sock %s %s: stop that VM or give another path", path,
				     used > 0 ? "is in use by a running program"
					      : "cannot be probed");
	if (unlink(path) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_USAGE,
				     "--api-sock %s: cannot remove the stale socket: %s", path,
				     strerror(errno));
	return 0;
}

/* The janitor: a helper process (host/helper_process.h) that removes the socket once minivmm asks
 * or is gone (its end of the pair reads EOF), whatever killed it; the sandboxed process may not
 * call unlink. It runs nothing but this: read one byte, check the file is still ours, unlink,
 * answer, exit. */
struct janitor_args {
	int fd;
	const char *path;
	dev_t dev;
	ino_t ino;
};

static void janitor_main(void *arg)
{
	const struct janitor_args *a = arg;
	char c;
	while (read(a->fd, &c, 1) < 0 && errno == EINTR)
		;
	struct stat st;
	if (lstat(a->path, &st) == 0 && st.st_dev == a->dev && st.st_ino == a->ino)
		unlink(a->path);
	ssize_t ignored_write = write(a->fd, "k", 1);
	(void)ignored_write;
	_exit(0);
}

static int start_janitor(struct api_socket_file *s, struct vmm_error *err)
{
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				     "--api-sock: socketpair failed: %s", strerror(errno));
	struct janitor_args args = {.fd = pair[1], .path = s->path, .dev = s->dev, .ino = s->ino};
	pid_t pid = helper_process_fork("minivmm-janitor", &pair[1], 1, janitor_main, &args);
	close(pair[1]);
	if (pid < 0) {
		close(pair[0]);
		return vmm_error_set(err, (int)pid, VMM_EXIT_HOST_RESOURCES,
				     "--api-sock: cannot start the socket's janitor: %s",
				     strerror((int)-pid));
	}
	s->janitor_fd = pair[0];
	return 0;
}

int api_socket_file_open(struct api_socket_file *s, const char *path, bool janitor,
			 struct vmm_error *err)
{
	s->listen_fd = s->janitor_fd = -1;
	s->dev = 0;
	s->ino = 0;
	int ret = 0;
	if (!path[0] || strlen(path) >= sizeof s->path)
		ret =
		    vmm_error_set(err, -ENAMETOOLONG, VMM_EXIT_USAGE,
				  "--api-sock: give a path of 1 to %zu bytes", sizeof s->path - 1);
	else
		memcpy(s->path, path, strlen(path) + 1);
	ret = ret ?: clear_path(s->path, err);
	if (!ret &&
	    (s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		ret = vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				    "--api-sock: socket failed: %s", strerror(errno));
	if (!ret) {
		struct sockaddr_un addr = {.sun_family = AF_UNIX};
		memcpy(addr.sun_path, s->path, strlen(s->path) + 1);
		mode_t old = umask(0177); /* created 0600: only this user may connect */
		if (bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0)
			ret = vmm_error_set(err, -errno, VMM_EXIT_USAGE,
					    "--api-sock %s: cannot create the socket: %s: give a "
					    "writable directory",
					    s->path, strerror(errno));
		umask(old);
	}
	struct stat st;
	if (!ret && (chmod(s->path, 0600) < 0 || lstat(s->path, &st) < 0))
		ret = vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
				    "--api-sock %s: cannot set its mode: %s", s->path,
				    strerror(errno));
	if (!ret) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
		if (listen(s->listen_fd, API_MAX_CLIENTS) < 0)
			ret = vmm_error_set(err, -errno, VMM_EXIT_HOST_RESOURCES,
					    "--api-sock: listen failed: %s", strerror(errno));
	}
	if (!ret && janitor)
		ret = start_janitor(s, err);
	if (ret) {
		bool bound = s->dev || s->ino;
		if (s->listen_fd >= 0)
			close(s->listen_fd);
		if (bound)
			unlink(s->path);
		s->listen_fd = -1;
	}
	return ret;
}

void api_socket_file_close(struct api_socket_file *s)
{
	close(s->listen_fd);
	s->listen_fd = -1;
	if (s->janitor_fd >= 0) {
		/* Ask the janitor to remove the socket, and wait (a little) until it has. */
		char c = 'u';
		if (write(s->janitor_fd, &c, 1) == 1) {
			struct pollfd p = {.fd = s->janitor_fd, .events = POLLIN};
			if (poll(&p, 1, 1000) > 0) {
				ssize_t ignored = read(s->janitor_fd, &c, 1);
				(void)ignored;
			}
		}
		close(s->janitor_fd);
		s->janitor_fd = -1;
	} else {
		unlink(s->path);
	}
}
