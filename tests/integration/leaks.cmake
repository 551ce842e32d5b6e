# SPDX-License-Identifier: MIT
# Leak and memory-error checks (label `leaks`): integration cases run by the ASan+UBSan+LSan build
# (tools/run-tests configures build-asan/ with -DMINIVMM_SANITIZE=ON). A leak (LeakSanitizer
# exits 23) or any ASan/UBSan report changes the exit status, so the case fails.
# --no-sandbox: the sanitizer runtimes need system calls the sandbox refuses (sched_getaffinity
# when a thread starts; LeakSanitizer stops the world with a ptrace()d helper process at exit).
# The sandboxed path is covered by the normal build's integration tests.
set(RUN_CASE ${CMAKE_CURRENT_LIST_DIR}/run_case.sh)
set(MINIVMM $<TARGET_FILE:minivmm>)
set(G ${MINIVMM_GUEST_DIR})
function(leak_case name)
  add_test(NAME leaks.${name} COMMAND ${RUN_CASE} ${ARGN})
  set_tests_properties(leaks.${name} PROPERTIES LABELS leaks SKIP_RETURN_CODE 77
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0")
endfunction()

leak_case(hello --kvm --status 0 --stdout-match "^bye" -- ${MINIVMM} run --no-sandbox)
leak_case(guest_fault --kvm --status 40 -- ${MINIVMM} run --no-sandbox ${G}/fault-user.elf)
leak_case(triple_fault --kvm --status 80 -- ${MINIVMM} run --no-sandbox ${G}/triple-fault.elf)
leak_case(timeout --kvm --status 124 --max-seconds 30
          -- ${MINIVMM} run --no-sandbox --timeout 1 ${G}/loop.elf)
leak_case(hostile_every_port --kvm --status 0 --max-seconds 300 --stdout-match "survived"
          -- ${MINIVMM} run --no-sandbox --no-irqchip ${G}/hostile-ports.elf)
leak_case(uart_flood --kvm --status 0 --max-seconds 300 --stdout-match "sent 100000 bytes"
          -- ${MINIVMM} run --no-sandbox ${G}/uart-flood.elf)
leak_case(all_trace_outputs --kvm --status 0 --stderr-match "Total Samples"
          -- ${MINIVMM} run --no-sandbox --stats --trace=/dev/null --trace-json /dev/null
          --timeline /dev/null)
leak_case(rtc_interrupts --kvm --status 0 --stdout-match "^rtc-irq: ok"
          -- ${MINIVMM} run --no-sandbox --guest rtc-irq)
leak_case(bad_image --kvm --status 65 -- ${MINIVMM} run --no-sandbox ${PIE_ELF})
leak_case(bad_option --status 64 -- ${MINIVMM} run --no-sandbox --frobnicate)
# The control socket (docs/api.md): a client drives every command, bad and oversized requests,
# clients that vanish or never read; the server's buffers and jansson's objects must all be freed.
foreach(check every_command bad_requests oversized_and_vanishing)
  add_test(NAME leaks.api_${check}
           COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/api_checks.py ${MINIVMM} ${check})
  set_tests_properties(leaks.api_${check} PROPERTIES LABELS leaks SKIP_RETURN_CODE 77 TIMEOUT 300
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0;MINIVMM_RUN_ARGS=--no-sandbox")
endforeach()
# Snapshots (docs/snapshot.md): saved through the socket, restored, refused when bad.
foreach(check restore_continues snapshot_on_exit bad_snapshots virtio_continues)
  add_test(NAME leaks.snapshot_${check}
           COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/snapshot_checks.py ${MINIVMM}
                   $<TARGET_FILE:snapshot_roundtrip> ${check})
  set_tests_properties(leaks.snapshot_${check} PROPERTIES LABELS leaks SKIP_RETURN_CODE 77
                       TIMEOUT 300
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0;MINIVMM_RUN_ARGS=--no-sandbox")
endforeach()
