/* SPDX-License-Identifier: MIT */
#include "trace/trace_filter.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/size_parse.h"

static const struct {
	const char *word;
	uint32_t reason;
} reason_words[] = {
    {"io", KVM_EXIT_IO},
    {"pio", KVM_EXIT_IO},
    {"mmio", KVM_EXIT_MMIO},
    {"hlt", KVM_EXIT_HLT},
    {"shutdown", KVM_EXIT_SHUTDOWN},
    {"intr", KVM_EXIT_INTR},
    {"internal", KVM_EXIT_INTERNAL_ERROR},
};

static bool reason_has_word(uint32_t reason)
{
	for (size_t i = 0; i < sizeof reason_words / sizeof reason_words[0]; i++)
		if (reason_words[i].reason == reason)
			return true;
	return false;
}

static int parse_term(struct trace_filter *f, const char *term, struct vmm_error *err)
{
	const char *value = strchr(term, '=');
	if (value) {
		size_t key_len = (size_t)(value - term);
		value++;
		uint64_t n;
		if (key_len == 4 && strncasecmp(term, "port", 4) == 0 &&
		    parse_u64(value, &n) == 0 && n <= 0xffff &&
		    f->port_count < TRACE_FILTER_MAX_TERMS) {
			f->ports[f->port_count++] = n;
			return 0;
		}
		if (key_len == 4 && strncasecmp(term, "addr", 4) == 0 &&
		    parse_u64(value, &n) == 0 && f->addr_count < TRACE_FILTER_MAX_TERMS) {
			f->addrs[f->addr_count++] = n;
			return 0;
		}
		if (key_len == 6 && strncasecmp(term, "device", 6) == 0 && *value &&
		    strlen(value) < sizeof f->devices[0] &&
		    f->device_count < TRACE_FILTER_MAX_TERMS) {
			strcpy(f->devices[f->device_count++], value);
			return 0;
		}
	} else if (strcasecmp(term, "other") == 0) {
		f->reason_other = true;
		return 0;
	} else {
		for (size_t i = 0; i < sizeof reason_words / sizeof reason_words[0]; i++)
			if (strcasecmp(term, reason_words[i].word) == 0 &&
			    f->reason_count < TRACE_FILTER_MAX_TERMS) {
				f->reasons[f->reason_count++] = reason_words[i].reason;
				return 0;
			}
	}
	return vmm_error_set(err, -EINVAL, VMM_EXIT_USAGE,
			     "invalid --trace-filter term '%s': use io, mmio, hlt, shutdown, intr, "
			     "internal, other, port=N, addr=N or device=NAME, comma-separated",
			     term);
}

int trace_filter_parse(struct trace_filter *filter, const char *spec, struct vmm_error *err)
{
	memset(filter, 0, sizeof *filter);
	if (!spec)
		return 0;
	char copy[512];
	if (strlen(spec) >= sizeof copy)
		return vmm_error_set(err, -E2BIG, VMM_EXIT_USAGE, "--trace-filter is too long");
	strcpy(copy, spec);
	char *save = NULL;
	for (char *term = strtok_r(copy, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		int ret = parse_term(filter, term, err);
		if (ret)
			return ret;
	}
	return 0;
}

static bool reason_matches(const struct trace_filter *f, uint32_t reason)
{
	if (f->reason_count == 0 && !f->reason_other)
		return true;
	for (unsigned i = 0; i < f->reason_count; i++)
		if (f->reasons[i] == reason)
			return true;
	return f->reason_other && !reason_has_word(reason);
}

static bool access_matches(const struct trace_filter *f, const struct exit_record *rec)
{
	if (f->port_count + f->addr_count + f->device_count == 0)
		return true;
	for (unsigned i = 0; i < f->port_count; i++)
		if (rec->kvm_reason == KVM_EXIT_IO && rec->addr == f->ports[i])
			return true;
	for (unsigned i = 0; i < f->addr_count; i++)
		if (rec->kvm_reason == KVM_EXIT_MMIO && rec->addr == f->addrs[i])
			return true;
	for (unsigned i = 0; i < f->device_count; i++)
		if (rec->device && strcmp(rec->device, f->devices[i]) == 0)
			return true;
	return false;
}

bool trace_filter_match(const struct trace_filter *filter, const struct exit_record *rec)
{
	return reason_matches(filter, rec->kvm_reason) && access_matches(filter, rec);
}
