/* SPDX-License-Identifier: MIT */
/*
 * Reads a guest image file into memory. Images are small (a kernel is kilobytes to megabytes),
 * so one calloc'd buffer is simpler than mmap and leaves no mapping tied to the file's fate.
 */
#include "loader/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Far above any kernel minivmm can boot, and low enough that a wrong path (a disk image, a core
 * file) is refused instead of read into memory. */
#define GUEST_FILE_MAX (1ull << 30)

static const char *file_type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a pipe";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

/* Copies src into buf (calloc'd, so already zero) in 4 KiB chunks, skipping all-zero chunks: the
 * destination pages behind them are never touched, so they cost neither a page fault nor resident
 * memory (glibc's calloc hands large buffers over as fresh zero pages it has not written). Guest
 * files can carry long zero runs, e.g. the toy guest's ~1 MiB of padding for its Multiboot a.out
 * kludge (guest/guest.ld), which reading it all would copy and fault in for nothing: 1 ms of
 * the boot on the development host (docs/performance.md). */
static void copy_nonzero(uint8_t *buf, const uint8_t *src, size_t len)
{
	static const uint8_t zeros[4096];
	for (size_t at = 0; at < len; at += sizeof zeros) {
		size_t n = len - at < sizeof zeros ? len - at : sizeof zeros;
		if (memcmp(src + at, zeros, n) != 0)
			memcpy(buf + at, src + at, n);
	}
}

/* read() until size bytes or end of file, retrying on EINTR, through a bounce buffer and
 * copy_nonzero(); returns bytes read or -errno. */
static ssize_t read_fully(int fd, uint8_t *buf, size_t size)
{
	uint8_t bounce[64 * 1024];
	size_t done = 0;
	while (done < size) {
		size_t want = size - done < sizeof bounce ? size - done : sizeof bounce;
		ssize_t n = read(fd, bounce, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) /* the file shrank since fstat: take what there is */
			break;
		copy_nonzero(buf + done, bounce, (size_t)n);
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int loader_open_file(const char *path, const char *what, int *fd_out, uint64_t *size,
		     struct vmm_error *err)
{
	*fd_out = -1;
	*size = 0;
	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer before we can refuse it. It
	 * changes nothing for the regular files we go on to read. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return vmm_error_set(err, -errno, VMM_EXIT_NO_GUEST_FILE, "cannot open %s '%s': %s",
				     what, path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return vmm_error_set(err, -e, VMM_EXIT_NO_GUEST_FILE, "cannot stat %s '%s': %s",
				     what, path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return vmm_error_set(
		    err, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL, VMM_EXIT_NO_GUEST_FILE,
		    "%s '%s' is %s: give the path of a %s", what, path, file_type_name(st.st_mode),
		    strcmp(what, "guest") == 0 ? "kernel image file" : "regular file");
	}
	*fd_out = fd;
	*size = (uint64_t)st.st_size;
	return 0;
}

int load_file(const char *path, void **data, size_t *size, struct vmm_error *err)
{
	*data = NULL;
	*size = 0;
	int fd;
	uint64_t file_size;
	int rc = loader_open_file(path, "guest", &fd, &file_size, err);
	if (rc)
		return rc;
	uint8_t *buf = NULL;
	if (file_size > GUEST_FILE_MAX) {
		rc = vmm_error_set(err, -EFBIG, VMM_EXIT_GUEST_IMAGE,
				   "guest '%s' is %llu bytes, over the 1 GiB limit for guest "
				   "images: give a kernel image, not a disk or core file",
				   path, (unsigned long long)file_size);
		goto out;
	}
	size_t want = (size_t)file_size;
	buf = calloc(1, want ? want : 1); /* zeroed: read_fully() skips zero chunks */
	if (!buf) {
		rc = vmm_error_set(err, -ENOMEM, VMM_EXIT_HOST_RESOURCES,
				   "out of memory reading guest '%s' (%zu bytes)", path, want);
		goto out;
	}
	ssize_t got = read_fully(fd, buf, want);
	if (got < 0) {
		rc = vmm_error_set(err, (int)got, VMM_EXIT_NO_GUEST_FILE,
				   "cannot read guest '%s': %s", path, strerror((int)-got));
		free(buf);
		goto out;
	}
	*data = buf;
	*size = (size_t)got;
out:
	close(fd);
	return rc;
}
