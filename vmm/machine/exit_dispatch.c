/* SPDX-License-Identifier: MIT */
/*
 * The exit decoder: what the run loop does with one return from KVM_RUN. Port and MMIO accesses
 * go to a bus; HLT without an irqchip, SHUTDOWN, FAIL_ENTRY, INTERNAL_ERROR and reasons minivmm
 * does not know end the run with a report. Knows no device by name.
 *
 * The exit reasons and the kvm_run fields are those of api.rst section 5 ("The kvm_run
 * structure"). Everything in kvm_run is written by KVM, but a KVM_EXIT_IO's data offset and
 * span are checked against the mapping before use: a wrong one must stop the run, not let the
 * VMM read or write outside the page.
 */
#include "machine/exit_dispatch.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "machine/reboot.h"
#include "machine/vm.h"
#include "trace/exit_record.h"

/* Records or refuses an access no device claimed. Returns false if the run must stop. */
static bool note_unclaimed(struct vcpu *vcpu, const char *kind, uint64_t addr, uint32_t len,
			   bool is_write, const uint8_t *data)
{
	uint64_t value = 0;
	memcpy(&value, data, len < 8 ? len : 8);
	if (vcpu->unclaimed_io++ == 0)
		snprintf(vcpu->first_unclaimed, sizeof vcpu->first_unclaimed,
			 "%s %s 0x%" PRIx64 " (%u byte%s)", kind, is_write ? "write" : "read", addr,
			 len, len == 1 ? "" : "s");
	if (!vcpu->vm->cfg.strict_io)
		return true;
	char value_text[32] = "";
	if (is_write)
		snprintf(value_text, sizeof value_text, ", value 0x%" PRIx64, value);
	if (stop_request_raise(&vcpu->vm->stop, STOP_STRICT_IO, VMM_EXIT_STRICT_IO))
		vcpu_report_fault(vcpu, "access to unclaimed I/O (--strict-io)",
				  "%s %s of %u byte%s at 0x%" PRIx64 "%s: no device decodes this "
				  "address",
				  kind, is_write ? "write" : "read", len, len == 1 ? "" : "s", addr,
				  value_text);
	return false;
}

static void handle_pio(struct vcpu *vcpu, struct exit_record *rec)
{
	struct kvm_run *run = vcpu->run;
	uint32_t size = run->io.size, count = run->io.count;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	/* The data lives in the kvm_run mapping at data_offset; "rep ins/outs" bring count items.
	 * Check the whole span against the mapping before touching it. */
	uint64_t span = (uint64_t)size * count;
	if (size == 0 || size > 4 || run->io.data_offset > vcpu->run_size ||
	    span > vcpu->run_size - run->io.data_offset) {
		stop_request_raise(&vcpu->vm->stop, STOP_VMM_ERROR, VMM_EXIT_INTERNAL);
		vcpu_report_fault(vcpu, "malformed KVM_EXIT_IO", "size %u count %u offset %llu",
				  size, count, (unsigned long long)run->io.data_offset);
		return;
	}
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	rec->addr = run->io.port;
	rec->size = (uint8_t)size;
	rec->count = count;
	rec->flags |= is_write ? EXIT_RECORD_WRITE : 0;
	for (uint32_t i = 0; i < count; i++, data += size) {
		const struct bus_range *r =
		    bus_access(&vcpu->vm->pio_bus, run->io.port, data, size, is_write);
		if (i == 0) {
			memcpy(&rec->data, data, size);
			rec->device = r ? r->name : NULL;
			rec->flags |= r ? 0 : EXIT_RECORD_UNCLAIMED;
		}
		if (!r && !note_unclaimed(vcpu, "port", run->io.port, size, is_write, data))
			return;
	}
}

static void handle_mmio(struct vcpu *vcpu, struct exit_record *rec)
{
	struct kvm_run *run = vcpu->run;
	uint32_t len = run->mmio.len;
	if (len == 0 || len > sizeof run->mmio.data) {
		stop_request_raise(&vcpu->vm->stop, STOP_VMM_ERROR, VMM_EXIT_INTERNAL);
		vcpu_report_fault(vcpu, "malformed KVM_EXIT_MMIO", "len %u", len);
		return;
	}
	const struct bus_range *r = bus_access(&vcpu->vm->mmio_bus, run->mmio.phys_addr,
					       run->mmio.data, len, run->mmio.is_write);
	rec->addr = run->mmio.phys_addr;
	rec->size = (uint8_t)len;
	memcpy(&rec->data, run->mmio.data, len);
	rec->device = r ? r->name : NULL;
	rec->flags |=
	    (run->mmio.is_write ? EXIT_RECORD_WRITE : 0) | (r ? 0 : EXIT_RECORD_UNCLAIMED);
	if (!r)
		note_unclaimed(vcpu, "MMIO", run->mmio.phys_addr, len, run->mmio.is_write,
			       run->mmio.data);
}

/* Writes KVM batched in the coalesced ring instead of exiting for each (api.rst 4.116): hand
 * them to the bus in order, before the exit that ended this KVM_RUN, as the guest issued them.
 * The ring is the VM's, not this vCPU's: its consumers (every vCPU, the main thread's timer,
 * machine/write_batch.h) take it in turn. */
void exit_drain_coalesced(struct vcpu *vcpu)
{
	struct kvm_coalesced_mmio_ring *ring = vcpu->coalesced_ring;
	const uint32_t slots = vcpu->coalesced_slots;
	pthread_mutex_lock(&vcpu->vm->batch_lock);
	uint32_t first = ring->first;
	/* The kernel writes last; entries up to it are complete (acquire pairs with its smp_wmb).
	 */
	uint32_t last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
	while (first != last && first < slots) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[first];
		uint32_t len = e->len <= sizeof e->data ? e->len : sizeof e->data;
		struct bus *bus = e->pio ? &vcpu->vm->pio_bus : &vcpu->vm->mmio_bus;
		bus_access(bus, e->phys_addr, e->data, len, true);
		__atomic_fetch_add(&vcpu->vm->batch_drained, 1, __ATOMIC_RELAXED);
		first = (first + 1) % slots;
		__atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vcpu->vm->batch_lock);
}

/* A halted application processor without an irqchip: nothing can wake it, so its thread waits
 * for the stop request (10 ms naps: the kick only interrupts KVM_RUN) and then leaves. */
static void park_until_stop(struct vcpu *vcpu)
{
	/* A reboot (reboot.c) also ends the nap: the rebooted guest starts this vCPU again. */
	while (!stop_requested(&vcpu->vm->stop) && !reboot_gathering(&vcpu->vm->reboot.gather))
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
}

/* Ends the run because of the guest: records the report, then the stop. */
static void guest_fault(struct vcpu *vcpu, int status, const char *what, const char *detail)
{
	if (stop_request_raise(&vcpu->vm->stop, STOP_GUEST_FAULT, status))
		vcpu_report_fault(vcpu, what, "%s", detail);
}

static void handle_internal_error(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char detail[256];
	int n = snprintf(detail, sizeof detail, "suberror %u (%s)", run->internal.suberror,
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
			     ? "KVM could not emulate an instruction; see RIP"
			     : "see api.rst, KVM_EXIT_INTERNAL_ERROR");
	for (uint32_t i = 0; i < run->internal.ndata && i < 4 && n > 0 && (size_t)n < sizeof detail;
	     i++)
		n += snprintf(detail + n, sizeof detail - (size_t)n, " data[%u]=0x%llx", i,
			      (unsigned long long)run->internal.data[i]);
	guest_fault(vcpu, VMM_EXIT_GUEST_EMULATION, "KVM internal error (KVM_EXIT_INTERNAL_ERROR)",
		    detail);
}

void exit_dispatch(struct vcpu *vcpu, struct exit_record *rec)
{
	struct kvm_run *run = vcpu->run;
	char detail[160];

	/* Writes KVM batched before this exit happened before it: they reach their devices first.
	 */
	if (vcpu_coalesced_pending(vcpu))
		exit_drain_coalesced(vcpu);
	rec->kvm_reason = run->exit_reason;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_pio(vcpu, rec);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(vcpu, rec);
		break;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel irqchip (--no-irqchip), which handles HLT itself: here
		 * nothing could ever wake a halted vCPU. An application processor's HLT parks it
		 * (its idle loop, guest/README.md); only the BSP's ends the run. */
		if (vcpu->index > 0) {
			park_until_stop(vcpu);
			break;
		}
		guest_fault(vcpu, VMM_EXIT_GUEST_HALTED, "guest halted (KVM_EXIT_HLT)",
			    "HLT with no interrupt source to wake it: the guest stopped itself "
			    "without writing an exit port");
		break;
	case KVM_EXIT_SHUTDOWN:
		guest_fault(vcpu, VMM_EXIT_GUEST_TRIPLE_FAULT, "triple fault (KVM_EXIT_SHUTDOWN)",
			    "an exception occurred while the CPU could not deliver one (no valid "
			    "IDT, bad stack or handler); see RIP and the IDT");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(detail, sizeof detail,
			 "hardware entry failure reason 0x%llx on cpu %u: the register state is "
			 "invalid for VM entry (Intel SDM vol. 3C, 27.3)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		guest_fault(vcpu, VMM_EXIT_GUEST_ENTRY_FAILED,
			    "VM entry failed (KVM_EXIT_FAIL_ENTRY)", detail);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		handle_internal_error(vcpu);
		break;
	default:
		snprintf(detail, sizeof detail, "exit reason %u is not handled by minivmm",
			 run->exit_reason);
		guest_fault(vcpu, VMM_EXIT_GUEST_UNKNOWN_EXIT, "unexpected VM exit", detail);
		break;
	}
}
