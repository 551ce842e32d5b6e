/* SPDX-License-Identifier: MIT */
/*
 * TEST BUILDS ONLY (minivmm-test, CMake option MINIVMM_TEST_DEVICES): a device that does what an
 * attacker who took over the VMM would do, on the guest's request, so a test can prove the
 * sandbox stops it. A write to port TEST_ESCAPE_PORT:
 *   1: open("/etc/passwd")        (glibc issues openat)
 *   2: execve("/bin/sh", ...)     (the shell prints a line and exits 0)
 * Under the sandbox either call ends the process with status 88 and the call's name; with
 * --no-sandbox the call succeeds and says so on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "machine/bus.h"

#define TEST_ESCAPE_PORT 0x5f0

static void escape_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	(void)opaque;
	(void)offset;
	(void)len;
	if (data[0] == 1) {
		int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
		fprintf(stderr, "minivmm: test-escape-device: open(\"/etc/passwd\") %s%s\n",
			fd >= 0 ? "succeeded: nothing stopped it" : "failed: ",
			fd >= 0 ? "" : strerror(errno));
		if (fd >= 0)
			close(fd);
	} else if (data[0] == 2) {
		char *const argv[] = {"sh", "-c",
				      "echo 'minivmm: test-escape-device: execve(\"/bin/sh\") "
				      "succeeded: nothing stopped it' >&2",
				      NULL};
		execve("/bin/sh", argv, (char *const[]){NULL});
		fprintf(stderr, "minivmm: test-escape-device: execve(\"/bin/sh\") failed: %s\n",
			strerror(errno));
	}
}

static const struct bus_device_ops escape_ops = {.write = escape_write};

static int escape_attach(const struct device_host *host, struct vmm_error *err)
{
	int ret =
	    bus_register(host->pio_bus, TEST_ESCAPE_PORT, 1, "test-escape", &escape_ops, NULL);
	return ret ? vmm_error_set(err, ret, VMM_EXIT_INTERNAL, "cannot register test-escape") : 0;
}

/* The name devices/devices.c looks for (a weak reference there). */
const struct device_module test_device_module = {.name = "test-escape", .attach = escape_attach};
