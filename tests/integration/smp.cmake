# SPDX-License-Identifier: MIT
# Integration cases for --cpus N (included from cases.cmake). The VMM starts each application
# processor in long mode (direct SMP, the only bring-up so far); each prints one hello line, the
# BSP prints "smp: N cpus up", then the program runs as with one vCPU (6 lines of the hello
# guest). --stdout-lines makes "each hello exactly once": N - 1 hellos + 1 smp line + 6.
set(AP_HELLO "hello from an application processor \\(APIC id")

minivmm_case(smp_four_cpus --kvm --status 0 --max-seconds 60 --stdout-lines 10
             --stdout-match "^cpu 1: ${AP_HELLO} 1\\)" --stdout-match "^cpu 2: ${AP_HELLO} 2\\)"
             --stdout-match "^cpu 3: ${AP_HELLO} 3\\)" --stdout-match "^smp: 4 cpus up"
             --stdout-match "^bye \\(exit 0\\)" -- ${MINIVMM} run --cpus 4)
minivmm_case(smp_two_cpus_direct --kvm --status 0 --max-seconds 60 --stdout-lines 8
             --stdout-match "^cpu 1: ${AP_HELLO} 1\\)" --stdout-match "^smp: 2 cpus up"
             -- ${MINIVMM} run --cpus 2 --direct-smp)
# Without an irqchip an AP's HLT parks its vCPU; only the BSP's exit port ends the run.
minivmm_case(smp_two_cpus_no_irqchip --kvm --status 0 --max-seconds 60 --stdout-lines 8
             --stdout-match "^cpu 1: ${AP_HELLO} 1\\)" --stdout-match "^smp: 2 cpus up"
             -- ${MINIVMM} run --cpus 2 --no-irqchip --direct-smp)
# One vCPU: not a byte of SMP output.
minivmm_case(smp_one_cpu_prints_nothing_more --kvm --status 0 --stdout-lines 6
             -- ${MINIVMM} run --cpus 1)
minivmm_case(smp_cpus_out_of_range --status 64 --stderr-match "invalid --cpus '9'"
             -- ${MINIVMM} run --cpus 9)
minivmm_case(smp_cpus_zero --status 64 -- ${MINIVMM} run --cpus 0)
# Every vCPU resets at once (each runs the flat image): the leader gathers the others each time,
# and the cap still ends the run (interrupts_checks.sh reboots the shell with 2 vCPUs).
minivmm_case(smp_reboot_loop_is_capped --kvm --status 87 --max-seconds 60
             --stderr-match "reboot 100 of at most 100" --stderr-match "too many reboots"
             --flat-hex "b0 06 66 ba f9 0c ee" -- ${MINIVMM} run --reboot --cpus 4 --flat FLAT_IMAGE)
# A multiboot kernel's APs wait for its INIT-SIPI-SIPI (pc_platform.cmake starts them); the toy
# guest's multiboot path starts none and runs as with one vCPU.
minivmm_case(smp_multiboot_aps_wait --kvm --status 0 --stdout-match "^bye \\(exit 0\\)"
             -- ${MINIVMM} run --cpus 2 --boot multiboot)
# A triple fault on the BSP while the APs sit in HLT ends the whole run, with and without the
# irqchip, well inside the guard.
minivmm_case(smp_triple_fault_stops_all --kvm --status 80 --max-seconds 30
             --stdout-match "^smp: 4 cpus up" --stderr-match "vCPU 0 stopped: triple fault"
             -- ${MINIVMM} run --cpus 4 ${G}/triple-fault.elf)
minivmm_case(smp_triple_fault_no_irqchip --kvm --status 80 --max-seconds 30
             --stderr-match "vCPU 0 stopped: triple fault"
             -- ${MINIVMM} run --cpus 2 --no-irqchip ${G}/triple-fault.elf)
# --timeout ends a run whose APs are parked (no irqchip) or halted in KVM (irqchip).
minivmm_case(smp_timeout_stops_all --kvm --status 124 --max-seconds 30
             -- ${MINIVMM} run --cpus 3 --timeout 1 --guest loop)
minivmm_case(smp_timeout_stops_parked --kvm --status 124 --max-seconds 30
             -- ${MINIVMM} run --cpus 3 --no-irqchip --timeout 1 --guest loop)
# Per-vCPU trace and stats (smp_checks.sh).
add_test(NAME integration.smp.trace_and_stats_per_vcpu
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/smp_checks.sh ${MINIVMM})
set_tests_properties(integration.smp.trace_and_stats_per_vcpu PROPERTIES LABELS integration
                     SKIP_RETURN_CODE 77)
# --sipi-smp: the guest starts its APs itself (INIT-SIPI-SIPI broadcast through KVM's LAPIC, a
# real-mode trampoline at 0x10000, entry32.S's switch to long mode).
minivmm_case(smp_sipi_four_cpus --kvm --status 0 --max-seconds 60 --stdout-lines 10
             --stdout-match "^cpu 1: ${AP_HELLO} 1\\)" --stdout-match "^cpu 2: ${AP_HELLO} 2\\)"
             --stdout-match "^cpu 3: ${AP_HELLO} 3\\)" --stdout-match "^smp: 4 cpus up"
             -- ${MINIVMM} run --cpus 4 --sipi-smp)
minivmm_case(smp_sipi_two_cpus --kvm --status 0 --max-seconds 60 --stdout-lines 8
             --stdout-match "^cpu 1: ${AP_HELLO} 1\\)" --stdout-match "^smp: 2 cpus up"
             -- ${MINIVMM} run --cpus 2 --sipi-smp)
# INIT-SIPI-SIPI to each APIC id in turn (the guest's sipi=targeted): needs KVM's map of APIC ids
# to hold every vCPU, which minivmm makes sure of (irqchip_complete_apic_map); without it the
# last-created vCPU never started (2 vCPUs: always, "smp: 1 cpus up").
minivmm_case(smp_sipi_targeted_two_cpus --kvm --status 0 --max-seconds 60 --stdout-lines 8
             --stdout-match "^cpu 1: ${AP_HELLO} 1\\)" --stdout-match "^smp: 2 cpus up"
             -- ${MINIVMM} run --cpus 2 --sipi-smp --cmdline sipi=targeted)
minivmm_case(smp_sipi_targeted_eight_cpus --kvm --status 0 --max-seconds 60
             --stdout-match "^cpu 7: ${AP_HELLO} 7\\)" --stdout-match "^smp: 8 cpus up"
             -- ${MINIVMM} run --cpus 8 --sipi-smp --cmdline sipi=targeted)
minivmm_case(smp_sipi_needs_irqchip --status 64 --stderr-match "--sipi-smp needs"
             -- ${MINIVMM} run --cpus 2 --sipi-smp --no-irqchip)
