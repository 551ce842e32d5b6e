# SPDX-License-Identifier: MIT
# Integration cases for this area (included from cases.cmake).
# Security, hostile guests and resource limits (docs/security.md). Every `minivmm run` here, and
# in every other case file, runs inside the seccomp sandbox unless it says --no-sandbox.
set(SECURITY_CHECKS ${CMAKE_CURRENT_LIST_DIR}/security_checks.sh)
function(security_check name)
  add_test(NAME integration.security.${name} COMMAND ${SECURITY_CHECKS} ${MINIVMM} ${G} ${name})
  set_tests_properties(integration.security.${name} PROPERTIES LABELS integration
                       SKIP_RETURN_CODE 77)
endfunction()

# --- the sandbox ------------------------------------------------------------------------------
minivmm_case(info_reports_sandbox --status 0 --kvm
             --stdout-match "sandbox \\(seccomp\\): +available" --stdout-match "--no-sandbox"
             -- ${MINIVMM} info)
foreach(check sandbox_on_every_thread inherited_fds_closed no_sandbox_is_unconfined
        minivmm_lacks_test_device)
  security_check(${check})
endforeach()
if(TARGET minivmm-test)
  set(MINIVMM_TEST $<TARGET_FILE:minivmm-test>)
  # mov al, 1 (open /etc/passwd) | 2 (execve /bin/sh); mov dx, 0x5f0; out dx, al;
  # xor eax, eax; mov dx, 0x501; out dx, eax
  set(open_hex "b0 01 66 ba f0 05 ee 31 c0 66 ba 01 05 ef")
  set(exec_hex "b0 02 66 ba f0 05 ee 31 c0 66 ba 01 05 ef")
  minivmm_case(sandbox_stops_open --kvm --status 88 --flat-hex "${open_hex}"
               --stderr-match "sandbox: the VMM tried a forbidden system call: openat \\(257\\)"
               --stderr-match "run with --no-sandbox to debug"
               -- ${MINIVMM_TEST} run --flat FLAT_IMAGE)
  minivmm_case(sandbox_stops_execve --kvm --status 88 --flat-hex "${exec_hex}"
               --stderr-match "forbidden system call: execve \\(59\\)"
               -- ${MINIVMM_TEST} run --flat FLAT_IMAGE)
  minivmm_case(no_sandbox_open_succeeds --kvm --status 0 --flat-hex "${open_hex}"
               --stderr-match "test-escape-device: open\\(\"/etc/passwd\"\\) succeeded"
               -- ${MINIVMM_TEST} run --no-sandbox --flat FLAT_IMAGE)
  minivmm_case(no_sandbox_execve_succeeds --kvm --status 0 --flat-hex "${exec_hex}"
               --stderr-match "test-escape-device: execve\\(\"/bin/sh\"\\) succeeded"
               -- ${MINIVMM_TEST} run --no-sandbox --flat FLAT_IMAGE)
endif()

# --- hostile guests -----------------------------------------------------------------------------
# The three big ones (every port, the UART flood) take 5-6 s alone and 25-55 s on a loaded
# 2-core host: --max-seconds 240 is a hang guard, under ctest's --timeout 300 in tools/run-tests.
# Every port 0-0xffff, random widths and values, written and read from ring 3 (the exit and
# reset ports are skipped: they end the run by design). --no-irqchip: every port reaches
# minivmm's own code. With the irqchip (the default, second case) the ports KVM answers itself
# (PICs, ELCR, PIT, speaker) are left alone too: random bytes there would only reprogram the
# guest's own interrupt controllers; every other port reaches minivmm with its devices wired
# to KVM's interrupt lines, under the sandbox.
minivmm_case(hostile_every_port --kvm --status 0 --max-seconds 240
             --stdout-match "^hostile-ports: 65519 writes, 65519 reads, 17 skipped"
             --stdout-match "^hostile-ports: survived"
             --stderr-match "note: [0-9]+ access\\(es\\) to unclaimed I/O"
             -- ${MINIVMM} run --no-irqchip ${G}/hostile-ports.elf)
minivmm_case(hostile_every_port_irqchip --kvm --status 0 --max-seconds 240
             --stdout-match "^hostile-ports: 65499 writes, 65499 reads, 37 skipped .*irqchip ports"
             --stdout-match "^hostile-ports: survived"
             --stderr-match "note: [0-9]+ access\\(es\\) to unclaimed I/O"
             -- ${MINIVMM} run ${G}/hostile-ports.elf)
# 4000 random 8-aligned accesses (widths 1/2/4/8, reads and writes) at addresses in
# [RAM end = 64 MiB, 4 GiB), ring 0, skipping the LAPIC range 0xfee00000-0xfeefffff:
#   mov r14, 0x9e3779b97f4a7c15; mov r13d, 4000
#   1: xorshift64 r14; rax = 64M + ((r14 >> 32) * 0xfc000000 >> 32) & ~7
#      if (rax >> 20 == 0xfee) skip; switch (r14 & 7) { mov [rax], dl/dx/edx/rdx;
#      mov dl/dx/edx/rdx, [rax] }; dec r13d; jnz 1b
#   xor eax, eax; mov dx, 0x501; out dx, eax
minivmm_case(hostile_random_mmio --kvm --status 0 --max-seconds 60
             --stderr-match "note: [0-9]+ access\\(es\\) to unclaimed I/O, first: MMIO"
             --flat-hex "49 be 15 7c 4a 7f b9 79 37 9e 41 bd a0 0f 00 00 4c 89 f0 48 c1 e0 0d 49 31 c6 4c 89 f0 48 c1 e8 07 49 31 c6 4c 89 f0 48 c1 e0 11 49 31 c6 4c 89 f0 48 c1 e8 20 b9 00 00 00 fc 48 0f af c1 48 c1 e8 20 48 05 00 00 00 04 48 83 e0 f8 48 89 c1 48 c1 e9 14 81 f9 ee 0f 00 00 74 4e 4c 89 f2 44 89 f1 83 e1 07 83 f9 00 75 04 88 10 eb 3c 83 f9 01 75 05 66 89 10 eb 32 83 f9 02 75 04 89 10 eb 29 83 f9 03 75 05 48 89 10 eb 1f 83 f9 04 75 04 8a 10 eb 16 83 f9 05 75 05 66 8b 10 eb 0c 83 f9 06 75 04 8b 10 eb 03 48 8b 10 41 ff cd 0f 85 5e ff ff ff 31 c0 66 ba 01 05 ef"
             -- ${MINIVMM} run -m 64M --flat FLAT_IMAGE)
# Absurd UART settings (divisor 0 and 0xffff, 5-bit stick parity, loopback), then 100,000 bytes
# straight into THR: every byte reaches stdout (1 banner + 1538 full lines + the rest + result).
minivmm_case(hostile_uart_flood --kvm --status 0 --max-seconds 240
             --stdout-match "^uart-flood: sent 100000 bytes" --stdout-lines 1541
             -- ${MINIVMM} run ${G}/uart-flood.elf)
# mov rax, 0x0000800000000000 (the first non-canonical address); jmp rax: #GP with no IDT,
# a triple fault, reported with RIP still at the jmp.
minivmm_case(hostile_non_canonical_jump --kvm --status 80
             --stderr-match "triple fault \\(KVM_EXIT_SHUTDOWN\\)"
             --stderr-match "rip 000000000010000a" --stderr-match "rax 0000800000000000"
             --flat-hex "48 b8 00 00 00 00 00 80 00 00 ff e0"
             -- ${MINIVMM} run --flat FLAT_IMAGE)
# cli; jmp $: never exits to minivmm on its own; --timeout stops it (124) with a report.
minivmm_case(hostile_cli_spin_forever --kvm --status 124 --max-seconds 20
             --stderr-match "stopped by --timeout" --stderr-match "rip 0000000000100001"
             --flat-hex "fa eb fe" -- ${MINIVMM} run --timeout 1 --flat FLAT_IMAGE)
# Write every 4 KiB page from 0x101000 to the end of -m 64M, then read each back; exit 1 on a
# mismatch:  mov rax, 0x101000; mov rcx, 64M; 1: mov [rax], eax; add rax, 4K; cmp; jb 1b;
#            same loop with cmp [rax], eax; jne fail; ...; out 0x501
minivmm_case(hostile_touch_all_ram --kvm --status 0 --max-seconds 60
             --flat-hex "48 c7 c0 00 10 10 00 48 c7 c1 00 00 00 04 89 00 48 05 00 10 00 00 48 39 c8 72 f3 48 c7 c0 00 10 10 00 39 00 75 0f 48 05 00 10 00 00 48 39 c8 72 f1 31 c0 eb 05 b8 01 00 00 00 66 ba 01 05 ef"
             -- ${MINIVMM} run -m 64M --flat FLAT_IMAGE)

# --- limits and resources ---------------------------------------------------------------------
foreach(check closed_stdout stuck_reader sigterm_prints_stats sigint_prints_stats
        ram_over_address_limit largest_memory)
  security_check(${check})
endforeach()

# --- leaks under valgrind (label leaks; the ASan+LSan build has its own, tests/integration/
# leaks.cmake). valgrind knows no seccomp(2) (it would refuse the sandbox: status 71), hence
# --no-sandbox; its warnings about KVM_GET_STATS_FD (ioctl 0xaece) are harmless. They run
# minivmm-test, the same code plus the test device, because it is linked dynamically: valgrind
# cannot replace malloc (so cannot see leaks) in the static minivmm.
find_program(VALGRIND valgrind)
if(VALGRIND AND TARGET minivmm-test)
  set(VG ${VALGRIND} -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99)
  foreach(spec "hello|0|" "triple_fault|80|${G}/triple-fault.elf" "timeout|124|--timeout;1;${G}/loop.elf"
          "trace_outputs|0|--stats;--trace=/dev/null;--trace-json;/dev/null;--timeline;/dev/null")
    string(REPLACE "|" ";" parts "${spec}")
    list(GET parts 0 name)
    list(GET parts 1 status)
    list(SUBLIST parts 2 -1 args)
    add_test(NAME leaks.valgrind_${name}
             COMMAND ${RUN_CASE} --kvm --status ${status} --max-seconds 120
             -- ${VG} ${MINIVMM_TEST} run --no-sandbox ${args})
    set_tests_properties(leaks.valgrind_${name} PROPERTIES LABELS "leaks;integration"
                         SKIP_RETURN_CODE 77)
  endforeach()
  # An image refused right after VM creation began, "possibly lost" counted too: the CPUID
  # helper thread (x86/cpuid.c) once outlived such a run, detached, in about 1 run of 4 (its
  # stack and TLS: 304 bytes possibly lost). Five runs; the helper is now joined at exit.
  add_test(NAME leaks.valgrind_early_refusal
           COMMAND bash -c "[ -r /dev/kvm ] && [ -w /dev/kvm ] || exit 77
             for i in 1 2 3 4 5; do
               \"$0\" -q --leak-check=full --errors-for-leak-kinds=definite,possible \\
                 --error-exitcode=99 \"$1\" run --no-sandbox -m 2M >/dev/null 2>\"$2\"
               s=$?; [ $s = 65 ] || { cat \"$2\"; echo \"FAIL: run $i: status $s, want 65 (99: a leak)\"; exit 1; }
             done; echo 'ok: 5 refused runs, nothing lost'"
           ${VALGRIND} ${MINIVMM_TEST} ${CMAKE_CURRENT_BINARY_DIR}/valgrind_early_refusal.err)
  set_tests_properties(leaks.valgrind_early_refusal PROPERTIES LABELS "leaks;integration"
                       SKIP_RETURN_CODE 77)
endif()
