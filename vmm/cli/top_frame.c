/* SPDX-License-Identifier: MIT */
#include "cli/top_frame.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double number(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* Finds key's figure in the previous sample's array. */
static double previous(json_t *array, const char *name_key, const char *name, const char *field)
{
	size_t i;
	json_t *o;
	json_array_foreach(array, i, o)
	{
		const char *k = json_string_value(json_object_get(o, name_key));
		if (k && strcmp(k, name) == 0)
			return number(o, field);
	}
	return 0;
}

static unsigned rows_from(json_t *now, json_t *before, const char *name_key, double dt,
			  struct top_row *rows)
{
	unsigned n = 0;
	size_t i;
	json_t *o;
	json_array_foreach(now, i, o)
	{
		if (n == TOP_MAX_ROWS)
			break;
		const char *k = json_string_value(json_object_get(o, name_key));
		if (!k)
			continue;
		double total = number(o, "samples");
		snprintf(rows[n].key, sizeof rows[n].key, "%s", k);
		rows[n].total = total;
		rows[n].rate = (total - previous(before, name_key, k, "samples")) / dt;
		n++;
	}
	return n;
}

/* The share of the interval dt that a nanosecond counter grew by, in %; NAN if the VM reported
 * it as unknown (null). */
static double share(json_t *now, json_t *before, const char *key, double dt)
{
	json_t *v = json_object_get(now, key);
	if (!json_is_number(v))
		return NAN;
	return 100 * (json_number_value(v) - number(before, key)) / (dt * 1e9);
}

static void vcpu_from(struct top_vcpu *out, json_t *stats_now, json_t *stats_before,
		      json_t *status_now, json_t *status_before, double dt)
{
	out->rate = (number(stats_now, "records") - number(stats_before, "records")) / dt;
	out->run_pct = share(stats_now, stats_before, "in_kvm_run_ns", dt);
	out->vmm_pct = share(stats_now, stats_before, "in_vmm_ns", dt);
	out->cpu_pct = share(status_now, status_before, "cpu_ns", dt);
	json_t *split = json_object_get(status_now, "time_split_ns");
	json_t *old_split = json_object_get(status_before, "time_split_ns");
	out->guest_kvm_pct = share(split, old_split, "guest_and_kvm", dt);
	out->halted_pct = share(split, old_split, "halted", dt);
	out->guest_est_pct = share(split, old_split, "guest_est", dt);
	out->kvm_est_pct = share(split, old_split, "kvm_est", dt);
}

void top_make_frame(const struct top_sample *prev, const struct top_sample *cur,
		    struct top_frame *f)
{
	memset(f, 0, sizeof *f);
	f->uptime = number(cur->status, "uptime_s");
	double before = prev->status ? number(prev->status, "uptime_s") : 0;
	f->interval = f->uptime - before;
	double dt = f->interval > 1e-3 ? f->interval : 1e-3;
	f->state = json_string_value(json_object_get(cur->status, "state"));
	f->records = number(cur->stats, "records");
	f->in_kernel = number(cur->stats, "in_kernel_exits");
	f->exits_rate = (f->records - (prev->stats ? number(prev->stats, "records") : 0)) / dt;
	f->in_kernel_rate =
	    (f->in_kernel - (prev->stats ? number(prev->stats, "in_kernel_exits") : 0)) / dt;
	json_t *empty = json_array();
	f->reason_count = rows_from(json_object_get(cur->stats, "reasons"),
				    prev->stats ? json_object_get(prev->stats, "reasons") : empty,
				    "reason", dt, f->reasons);
	f->access_count = rows_from(json_object_get(cur->stats, "accesses"),
				    prev->stats ? json_object_get(prev->stats, "accesses") : empty,
				    "access", dt, f->accesses);
	json_decref(empty);
	json_t *vcpus = json_object_get(cur->stats, "vcpus");
	json_t *old_vcpus = prev->stats ? json_object_get(prev->stats, "vcpus") : NULL;
	json_t *states = json_object_get(cur->status, "vcpus");
	json_t *old_states = prev->status ? json_object_get(prev->status, "vcpus") : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(vcpus, i, v)
	{
		if (i >= TOP_MAX_VCPUS)
			break;
		vcpu_from(&f->vcpus[i], v, json_array_get(old_vcpus, i), json_array_get(states, i),
			  json_array_get(old_states, i), dt);
		f->vcpu_count = (unsigned)i + 1;
	}
	json_t *cpu = json_object_get(cur->status, "process_cpu_ms");
	json_t *old_cpu = prev->status ? json_object_get(prev->status, "process_cpu_ms") : NULL;
	if (cpu) {
		f->have_cpu = true;
		f->guest_pct = (number(cpu, "guest") - number(old_cpu, "guest")) / (dt * 10);
		f->kvm_pct = (number(cpu, "kernel") - number(old_cpu, "kernel")) / (dt * 10);
		f->vmm_pct = (number(cpu, "vmm_user") - number(old_cpu, "vmm_user")) / (dt * 10);
	}
}

static json_t *rows_json(const struct top_row *rows, unsigned count, const char *key)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < count; i++)
		json_array_append_new(a,
				      json_pack("{s:s, s:I, s:f}", key, rows[i].key, "total",
						(json_int_t)rows[i].total, "per_s", rows[i].rate));
	return a;
}

static json_t *pct(double value)
{
	return isnan(value) ? json_null() : json_real(value);
}

void top_frame_print_json(FILE *out, const struct top_frame *f, const char *last_event)
{
	json_t *vcpus = json_array();
	for (unsigned i = 0; i < f->vcpu_count; i++) {
		const struct top_vcpu *v = &f->vcpus[i];
		json_array_append_new(
		    vcpus,
		    json_pack("{s:i, s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "index", (int)i,
			      "exits_per_s", v->rate, "in_kvm_run_pct", pct(v->run_pct),
			      "in_vmm_pct", pct(v->vmm_pct), "guest_and_kvm_pct",
			      pct(v->guest_kvm_pct), "halted_pct", pct(v->halted_pct),
			      "guest_est_pct", pct(v->guest_est_pct), "kvm_est_pct",
			      pct(v->kvm_est_pct), "cpu_pct", pct(v->cpu_pct)));
	}
	json_t *o = json_pack("{s:s, s:f, s:f, s:I, s:f, s:I, s:f, s:o, s:o, s:o}", "state",
			      f->state ? f->state : "", "uptime_s", f->uptime, "interval_s",
			      f->interval, "records", (json_int_t)f->records, "exits_per_s",
			      f->exits_rate, "in_kernel_exits", (json_int_t)f->in_kernel,
			      "in_kernel_per_s", f->in_kernel_rate, "reasons",
			      rows_json(f->reasons, f->reason_count, "reason"), "accesses",
			      rows_json(f->accesses, f->access_count, "access"), "vcpus", vcpus);
	if (f->have_cpu)
		json_object_set_new(o, "cpu_pct",
				    json_pack("{s:f, s:f, s:f}", "guest", f->guest_pct, "kvm",
					      f->kvm_pct, "vmm", f->vmm_pct));
	if (last_event && last_event[0])
		json_object_set_new(o, "last_event", json_string(last_event));
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
	if (text)
		fprintf(out, "%s\n", text);
	fflush(out);
	free(text);
	json_decref(o);
}
