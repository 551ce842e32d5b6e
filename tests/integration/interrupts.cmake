# SPDX-License-Identifier: MIT
# Integration cases for interrupts, time, reset and the interactive shell (included from
# cases.cmake). The shell reads stdin through COM1's receive interrupt; input ends with "exit N".
set(INTR_DIR ${CMAKE_CURRENT_LIST_DIR})

# --- the shell through a pipe -----------------------------------------------------------------
minivmm_case(shell_answers_piped_commands --kvm --status 3 --stdin ${INTR_DIR}/shell-echo-exit3.txt
             --stdout-match "^minivmm> echo hi from the pipe" --stdout-match "^hi from the pipe"
             -- ${MINIVMM} run --guest shell)
minivmm_case(shell_help_and_info --kvm --status 0 --stdin ${INTR_DIR}/shell-help-info.txt
             --stdout-match "^  uptime " --stdout-match "^cpu: +[A-Za-z]+"
             --stdout-match "^ram: +200 MiB" --stdout-match "^cpus: +1"
             --stdout-match "^irqchip: +yes \\(PIC, PIT at 100 Hz\\)"
             -- ${MINIVMM} run -m 200M --guest shell)
minivmm_case(shell_polls_without_irqchip --kvm --status 3 --stdin ${INTR_DIR}/shell-echo-exit3.txt
             --stdout-match "^hi from the pipe" -- ${MINIVMM} run --no-irqchip --guest shell)
# `bench`: one line per workload of guest/user/bench_workloads.c (name, ops, cycles/op, where
# each op goes), then the two memory-touch lines. Timings are not checked, only that each
# workload ran with its own count and its own words. (1 s alone, 10 s loaded: the limit is a
# hang guard.)
set(shell_bench_rows
    "compute +100000 +[0-9]+ +nowhere: ring 3 runs natively"
    "compute-kernel +1000 +[0-9]+ +the guest kernel \\(same loop, ring 0\\)"
    "pio +2000 +[0-9]+ +a VM exit to minivmm"
    "pio-syscall +1000 +[0-9]+ +guest kernel, then a VM exit to minivmm"
    "mmio +2000 +[0-9]+ +a VM exit to minivmm"
    "mmio-syscall +1000 +[0-9]+ +guest kernel, then a VM exit to minivmm"
    "ioeventfd-pio +10000 +[0-9]+ +KVM \\(ioeventfd\\), no exit to minivmm"
    "ioeventfd-mmio +10000 +[0-9]+ +KVM \\(ioeventfd\\), no exit to minivmm"
    "coalesced-mmio +10000 +[0-9]+ +KVM's ring, minivmm only when full"
    "cpuid +10000 +[0-9]+ +KVM answers it, no exit to minivmm"
    "syscall +2000 +[0-9]+ +the guest kernel, no exit to minivmm"
    "mem-first +512 +[0-9]+ +KVM: the host allocates the page"
    "mem-second +512 +[0-9]+ +nowhere: the page exists now")
set(shell_bench_matches --stdout-match "^workload +ops +cycles/op +where each op goes")
foreach(row IN LISTS shell_bench_rows)
  list(APPEND shell_bench_matches --stdout-match "^${row}")
endforeach()
minivmm_case(shell_bench_runs_every_workload --kvm --status 0 --max-seconds 120
             --stdin ${INTR_DIR}/shell-bench.txt ${shell_bench_matches}
             -- ${MINIVMM} run --guest shell)
# One workload with a count: its line and no other (6 lines: the kernel's and the shell's
# greetings, the two prompts, the header and the mmio row).
minivmm_case(shell_bench_one_workload_with_count --kvm --status 0
             --stdin ${INTR_DIR}/shell-bench-mmio.txt
             --stdout-match "^minivmm> bench mmio 100"
             --stdout-match "^mmio +100 +[0-9]+ +a VM exit to minivmm" --stdout-lines 6
             -- ${MINIVMM} run --guest shell)
# A wrong name or count is explained, and the shell carries on (it reaches "exit 4").
minivmm_case(shell_bench_explains_bad_arguments --kvm --status 4
             --stdin ${INTR_DIR}/shell-bench-bad.txt
             --stdout-match "^bench: unknown workload 'warp' \\(known: all compute .*mmio .* mem\\)"
             --stdout-match "^bench: usage: bench \\[NAME \\[N\\]\\], N from 1 to 100000000"
             --stdout-match "^  bench +\\[NAME \\[N\\]\\]: TSC cycles per op of each workload"
             -- ${MINIVMM} run --guest shell)
minivmm_case(no_irqchip_runs_hello --kvm --status 0 --stdout-match "^hello from ring 3"
             --stdout-match "^bye \\(exit 0\\)" -- ${MINIVMM} run --no-irqchip)

# --- timer, RTC, idle (interrupts_checks.sh) ------------------------------------------------------
foreach(check ticks_advance date_matches_host idle_uses_no_cpu reboot_boots_again
        smp_reboot_boots_every_cpu_again)
  add_test(NAME integration.interrupts.${check}
           COMMAND ${INTR_DIR}/interrupts_checks.sh ${MINIVMM} ${check})
  set_tests_properties(integration.interrupts.${check} PROPERTIES LABELS integration
                       SKIP_RETURN_CODE 77)
endforeach()

# --- the CMOS RTC's periodic interrupt (IRQ 8), sandbox on (guest/programs/rtc-irq.c) ----------
# At least 32 interrupts at 64 Hz, not over twice that rate, 8192 Hz asked for and not over twice
# the 1024 a second minivmm delivers, none once off: the guest checks each and prints "ok". (It polls its count
# once a PIT tick, so on a loaded host it may see a few more than 32: the count is not pinned.)
# The RTC's timer thread starts under the seccomp filter (status 88 if it needed a call the
# allowlist lacks).
minivmm_case(rtc_periodic_interrupts --kvm --status 0 --max-seconds 30
             --stdout-match "^rtc-irq: [0-9]+ interrupts at 64 Hz" --stdout-match "^rtc-irq: ok"
             -- ${MINIVMM} run --timeout 20 --guest rtc-irq)
minivmm_case(rtc_periodic_needs_irqchip --kvm --status 2
             --stdout-match "^rtc-irq: no interrupt controller"
             -- ${MINIVMM} run --no-irqchip --guest rtc-irq)

# --- reset: i8042 0xFE and port 0xCF9 end the run with 87, or reboot with --reboot --------------
minivmm_case(shell_reboot_without_flag_ends_run --kvm --status 87 --stdin ${INTR_DIR}/shell-reboot.txt
             --stderr-match "reset the machine \\(i8042 command 0xFE\\)"
             -- ${MINIVMM} run --guest shell)
# mov al, 0xfe; out 0x64, al
minivmm_case(reset_i8042_status --kvm --status 87 --flat-hex "b0 fe e6 64"
             -- ${MINIVMM} run --flat FLAT_IMAGE)
# mov al, 6; mov dx, 0xcf9; out dx, al
minivmm_case(reset_cf9_status --kvm --status 87 --stderr-match "port 0xCF9"
             --flat-hex "b0 06 66 ba f9 0c ee" -- ${MINIVMM} run --flat FLAT_IMAGE)
# A guest that resets at every boot: --reboot gives up after 100 reboots.
minivmm_case(reboot_loop_is_capped --kvm --status 87 --stderr-match "reboot 100 of at most 100"
             --stderr-match "too many reboots" --flat-hex "b0 06 66 ba f9 0c ee"
             -- ${MINIVMM} run --reboot --flat FLAT_IMAGE)
# hlt with IF clear: with the in-kernel irqchip KVM halts inside the kernel, nothing wakes it,
# and only --timeout ends the run (--no-irqchip reports it at once: hlt_reported, status 81).
minivmm_case(hlt_with_irqchip_sleeps_until_timeout --kvm --status 124 --flat-hex "f4"
             -- ${MINIVMM} run --timeout 1 --flat FLAT_IMAGE)
minivmm_case(help_tells_reset_status --status 0 --stdout-match "87 guest reset"
             --stdout-match "--no-irqchip" --stdout-match "--reboot" -- ${MINIVMM} --help)
