# SPDX-License-Identifier: MIT
# minivmm run --gdb (included from cases.cmake): the real gdb in batch mode (gdb_checks.sh), and
# the option checks.
foreach(check break_continue_registers stepi_and_hbreak memory_errors ctrl_c_loop
        threads_two_cpus detach_runs_on tcp_loopback_and_bad_packets
        hw_breakpoint_resumes_past_itself ring3_break_step_next
        ring3_guest_int3_and_tf_pass_through watchpoint_user_variable
        restore_attach_and_step nothing_without_gdb)
  add_test(NAME integration.gdb.${check}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/gdb_checks.sh ${MINIVMM} ${G} ${check})
  set_tests_properties(integration.gdb.${check} PROPERTIES LABELS integration
                       SKIP_RETURN_CODE 77 TIMEOUT 90)
endforeach()
minivmm_case(gdb_wait_needs_gdb --status 64 --stderr-match "--gdb-wait waits for gdb"
             -- ${MINIVMM} run --gdb-wait)
minivmm_case(gdb_wait_needs_gdb_restore --status 64 --stderr-match "--gdb-wait waits for gdb"
             -- ${MINIVMM} restore --gdb-wait vm.snap)
minivmm_case(gdb_port_zero --status 64 --stderr-match "invalid --gdb '0'"
             -- ${MINIVMM} run --gdb 0)
minivmm_case(gdb_host_by_name --status 64 --stderr-match "numeric IPv4 HOST"
             -- ${MINIVMM} run --gdb localhost:1234)
# minivmm info probes what KVM gives a debugger here.
minivmm_case(gdb_info_lists_debug_features --kvm --status 0
             --stdout-match "^  single-step +(native|emulated|missing) "
             --stdout-match "^  software breakpoints \\(int3\\) +(native|emulated|missing) "
             --stdout-match "^  hardware breakpoints +(native|emulated|missing) "
             --stdout-match "^  watchpoints \\(data writes\\) +(native|emulated|missing) +(native|emulated|missing) "
             -- ${MINIVMM} info)
