/* SPDX-License-Identifier: MIT */
/* The ACPI sleep states (sleep.h). */
#include "machine/sleep.h"

#include "machine/vm.h"

void vm_power_off(struct vm *vm)
{
	if (stop_requested(&vm->stop))
		return;	  /* the run already ends for another reason, which keeps its report */
	if (vm->on_event) /* the control socket's "powered_off" event */
		vm->on_event(vm->on_event_ctx, VM_EVENT_POWER_OFF);
	stop_request_raise(&vm->stop, STOP_POWER_OFF, 0);
}
