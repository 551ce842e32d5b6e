/* SPDX-License-Identifier: MIT */
#include "host/teardown_handoff.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/helper_process.h"

/* The helper: take the VM fd if one comes (one SCM_RIGHTS message, unix(7)), then read until
 * end-of-file, which comes when the last holder of the other end, minivmm, has exited. Its own
 * exit then closes the VM fd, the last reference, and KVM tears the VM down in this process
 * instead of minivmm's. Only async-signal-safe calls (helper_process.h). */
static void wait_for_minivmm_then_release(void *arg)
{
	int socket_fd = *(const int *)arg;
	for (;;) {
		char byte;
		struct iovec iov = {.iov_base = &byte, .iov_len = 1};
		union { /* aligned for struct cmsghdr, room for one fd */
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int))];
		} control;
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.buf,
				     .msg_controllen = sizeof control.buf};
		/* A received fd is simply kept (held open until _exit); nothing else is read. */
		ssize_t n = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	_exit(0);
}

void teardown_handoff_prepare(struct teardown_handoff *h)
{
	h->socket_fd = -1;
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair))
		return;
	pid_t pid = helper_process_fork("minivmm-release", &pair[1], 1,
					wait_for_minivmm_then_release, &pair[1]);
	close(pair[1]);
	if (pid < 0)
		close(pair[0]);
	else
		h->socket_fd = pair[0];
}

int teardown_handoff_give(struct teardown_handoff *h, int vm_fd)
{
	if (h->socket_fd < 0)
		return -ENOTCONN;
	char byte = 'v';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	memset(&control, 0, sizeof control);
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof control.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &vm_fd, sizeof vm_fd);
	ssize_t n;
	while ((n = sendmsg(h->socket_fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n == 1 ? 0 : -(n < 0 ? errno : EIO);
}
