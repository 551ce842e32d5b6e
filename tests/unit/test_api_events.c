/* SPDX-License-Identifier: MIT */
/*
 * The control socket's stop events come at the right moment: "powered_off" as soon as the guest
 * writes the exit port (the stop request's raise), while the run is still going on, and
 * "stopped" only when the run is over (api_server_finish); a stop the guest did not ask for has
 * no powered_off. A VM without KVM: the exit-port device is driven through the bus, as the vCPU
 * would.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/api_server.h"
#include "devices/devices.h"
#include "machine/vm.h"
#include "minivmm/boot_abi.h"
#include "test_check_main.h"

/* A hang guard, not a timing assertion (under Check's 30 s per case): the server answers as
 * soon as it gets a CPU. */
#define LINE_WAIT_MS 20000

static struct vm vm;
static struct api_server *api;
static char path[108];
static int client = -1;

static void setup(void)
{
	vm_init_without_kvm(&vm);
	struct vmm_error err;
	ck_assert_int_eq(vm_attach_device(&vm, &exit_port_module, &err), 0);
	snprintf(path, sizeof path, "/tmp/minivmm-test-api-%d.sock", (int)getpid());
	unlink(path);
	ck_assert_int_eq(api_server_open(&api, path, false, &err), 0);
	ck_assert_int_eq(api_server_start(api, &vm, &err), 0);
	client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	memcpy(addr.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(connect(client, (struct sockaddr *)&addr, sizeof addr), 0);
}

static void teardown(void)
{
	api_server_finish(api); /* NULL once a test has finished the run itself */
	close(client);
	vm_destroy(&vm);
}

/* The next line the server sent, or "" if none came (the connection closed, or the guard). */
static const char *next_line(void)
{
	static char buf[4096];
	static size_t len;
	static char line[4096];
	for (;;) {
		char *nl = memchr(buf, '\n', len);
		if (nl) {
			size_t n = (size_t)(nl - buf);
			memcpy(line, buf, n);
			line[n] = '\0';
			len -= n + 1;
			memmove(buf, nl + 1, len);
			return line;
		}
		struct pollfd p = {.fd = client, .events = POLLIN};
		if (poll(&p, 1, LINE_WAIT_MS) <= 0)
			return "";
		ssize_t got = read(client, buf + len, sizeof buf - 1 - len);
		if (got <= 0)
			return "";
		len += (size_t)got;
	}
}

static void guest_writes_exit_port(uint32_t value)
{
	uint8_t data[4];
	memcpy(data, &value, 4);
	ck_assert_ptr_nonnull(bus_access(&vm.pio_bus, MINIVMM_EXIT_PORT, data, 4, true));
}

START_TEST(test_powered_off_before_the_run_ends)
{
	guest_writes_exit_port(3);
	/* The run has not ended (api_server_finish not called): the event came from the raise. */
	ck_assert_str_eq(next_line(), "{\"event\":\"powered_off\",\"status\":3}");
	api_server_finish(api);
	api = NULL;
	ck_assert_str_eq(next_line(),
			 "{\"event\":\"stopped\",\"status\":3,\"reason\":\"guest exit\"}");
	ck_assert_str_eq(next_line(), ""); /* closed: nothing after stopped */
}
END_TEST

START_TEST(test_no_powered_off_for_other_stops)
{
	ck_assert(stop_request_raise(&vm.stop, STOP_TIMEOUT, 0));
	api_server_finish(api);
	api = NULL;
	ck_assert_str_eq(next_line(),
			 "{\"event\":\"stopped\",\"status\":0,\"reason\":\"timeout\"}");
	ck_assert_str_eq(next_line(), "");
}
END_TEST

static Suite *api_events_suite(void)
{
	Suite *s = suite_create("api_events");
	TCase *tc = tcase_create("stop events");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_powered_off_before_the_run_ends);
	tcase_add_test(tc, test_no_powered_off_for_other_stops);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(api_events_suite)
