/* SPDX-License-Identifier: MIT */
/*
 * The heart of the VMM: enter the guest with KVM_RUN, and when KVM returns (a VM exit that the
 * kernel could not finish by itself), hand the exit to the decoder (exit_dispatch.c), act on a
 * reset a device asked for, and go round again until the run stops. This file knows no device
 * by name, and no exit reason but the kick (api.rst section 5: KVM_RUN's EINTR).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "gdb/gdb_stub.h"
#include "machine/exit_dispatch.h"
#include "machine/reboot.h"
#include "machine/vm.h"
#include "trace/vcpu_trace.h"

void vcpu_run_loop(struct vcpu *vcpu)
{
	struct stop_request *stop = &vcpu->vm->stop;
	struct vcpu_trace *trace = vcpu->trace; /* NULL unless tracing or --stats */
	struct exit_record untraced;
	struct gdb_stub *gdb = vcpu->vm->gdb; /* NULL without --gdb: the hook costs a test */

	/* Held before the first instruction (--gdb-wait), before any kick could reach us. */
	vm_pause_park_if_requested(vcpu);
	bool stopping = stop_requested(stop);
	while (!stopping) {
		bool kicked = false; /* or stopped by the debugger: either may park below */
		struct exit_record *rec = trace ? vcpu_trace_begin(trace) : &untraced;
		int ret = ioctl(vcpu->fd, KVM_RUN, 0);
		int run_errno = errno;
		if (trace)
			vcpu_trace_exited(trace, rec);
		if (ret < 0 && (run_errno == EINTR || run_errno == EAGAIN)) {
			/* A kick (api.rst: KVM_EXIT_INTR): clear immediate_exit, then look at the
			 * stop request. */
			vcpu->run->immediate_exit = 0;
			rec->kvm_reason = KVM_EXIT_INTR;
			kicked = true;
		} else if (ret < 0) {
			rec->kvm_reason = KVM_EXIT_UNKNOWN;
			if (stop_request_raise(stop, STOP_VMM_ERROR, VMM_EXIT_INTERNAL))
				vcpu_report_fault(vcpu, "cannot run the vCPU", "KVM_RUN failed: %s",
						  strerror(run_errno));
		} else {
			vcpu->exits++;
			if (gdb && gdb_stub_claim_exit(gdb, vcpu))
				kicked =
				    true; /* the debugger's stop: a kick skips its own thread */
			else
				exit_dispatch(vcpu, rec);
		}
		vm_reboot_if_requested(vcpu); /* a device asked for a reset (reboot.h) */
		/* Decided before the commit, so the trace knows this is the vCPU's last record. */
		stopping = stop_requested(stop);
		if (trace)
			vcpu_trace_commit(trace, rec, stopping);
		/* Only a kicked vCPU looks for a pause (pause.h): nothing on the exit path. */
		if (kicked && !stopping) {
			vm_pause_park_if_requested(vcpu);
			stopping = stop_requested(stop); /* a stop ends a pause too */
		}
	}
	/* Stopped from outside while the guest ran: show where it was. */
	if (atomic_load(&stop->reason) == STOP_TIMEOUT && vcpu->index == 0 && !vcpu->report.valid)
		vcpu_report_fault(vcpu, "stopped by --timeout",
				  "the guest was still running; this is where it was");
}
