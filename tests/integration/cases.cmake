# SPDX-License-Identifier: MIT
# Integration tests: real guests under real KVM, checked by exit status and output.
# Each case runs through run_case.sh, which exits 77 (reported SKIPPED) where /dev/kvm is absent.
set(RUN_CASE ${CMAKE_CURRENT_SOURCE_DIR}/integration/run_case.sh)
set(MINIVMM $<TARGET_FILE:minivmm>)
set(G ${MINIVMM_GUEST_DIR})

function(minivmm_case name)
  add_test(NAME integration.${name} COMMAND ${RUN_CASE} ${ARGN})
  set_tests_properties(integration.${name} PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
endfunction()

# --- the toy guest ------------------------------------------------------------------------
foreach(model host baseline)
  add_test(NAME integration.default_guest_exact_output_${model}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/default_guest.sh ${MINIVMM} ${model})
  set_tests_properties(integration.default_guest_exact_output_${model} PROPERTIES
                       LABELS integration SKIP_RETURN_CODE 77)
endforeach()
# The shell reads the brand from ring 3 in three parts: none of its inner spaces is lost.
minivmm_case(cpu_model_baseline_brand_in_shell --kvm --status 0
             --stdin ${CMAKE_CURRENT_SOURCE_DIR}/integration/shell-help-info.txt
             --stdout-match "^cpu: +[A-Za-z]+  minivmm baseline x86-64 CPU\r?$"
             -- ${MINIVMM} run --guest shell --cpu-model baseline)
minivmm_case(cpu_model_unknown_is_usage_error --status 64
             --stderr-match "invalid --cpu-model 'pentium': give host or baseline"
             -- ${MINIVMM} run --cpu-model pentium)
minivmm_case(info_cpuid_marks_changes --kvm --status 0
             --stdout-match "^vendor: [A-Za-z]+" --stdout-match "^brand: .+"
             --stdout-match "^\\* 0x80000002 " --stdout-match "^\\+.? ?0x0000000b +1 |^\\*.? ?0x0000000b"
             -- ${MINIVMM} info --cpuid --cpu-model baseline --cpus 2)
minivmm_case(guest_file_same_as_builtin --kvm --status 0 --stdout-match "^hello from ring 3"
             -- ${MINIVMM} run ${G}/hello.elf)
minivmm_case(cmdline_reaches_guest --kvm --status 0 --stdout-match "^cmdline: \"console=ttyS0 a=b\""
             -- ${MINIVMM} run --cmdline "console=ttyS0 a=b")
minivmm_case(memory_size_reaches_guest --kvm --status 0 --stdout-match "^ram: 200 MiB"
             -- ${MINIVMM} run -m 200M)
# -m 3G, the largest size: security_checks.sh largest_memory (boots, or status 71 on a host
# with less than 3 GiB of memory and swap).
minivmm_case(fault_in_user_mode --kvm --status 40 --stdout-match "exception"
             --stdout-match "user mode" -- ${MINIVMM} run ${G}/fault-user.elf)
minivmm_case(fault_in_kernel_mode --kvm --status 41 --stdout-match "exception"
             --stdout-match "kernel mode" -- ${MINIVMM} run ${G}/fault-kernel.elf)
minivmm_case(triple_fault_reported --kvm --status 80
             --stderr-match "triple fault \\(KVM_EXIT_SHUTDOWN\\)" --stderr-match "rip [0-9a-f]{16}"
             --stderr-match "cr3 " -- ${MINIVMM} run ${G}/triple-fault.elf)
minivmm_case(timeout_stops_endless_loop --kvm --status 124 --max-seconds 20
             --stderr-match "--timeout 1 s" -- ${MINIVMM} run --timeout 1 ${G}/loop.elf)
minivmm_case(unclaimed_port_reads_all_ones --kvm --status 0 --stdout-match "0xff"
             --stderr-match "unclaimed I/O, first: port (write|read) 0x2f8"
             -- ${MINIVMM} run ${G}/unclaimed-port.elf)
minivmm_case(strict_io_stops_at_unclaimed_port --kvm --status 85
             --stderr-match "port (write|read) of 1 byte at 0x2f8"
             -- ${MINIVMM} run --strict-io ${G}/unclaimed-port.elf)
minivmm_case(ctrl_a_x_quits --kvm --status 86 --stdin ${CMAKE_CURRENT_SOURCE_DIR}/integration/ctrl-a-x.txt
             --stderr-match "quit \\(Ctrl-A x\\)" -- ${MINIVMM} run ${G}/loop.elf)
minivmm_case(builtin_guest_by_name --kvm --status 40 -- ${MINIVMM} run --guest fault-user)

# --- hand-assembled flat guests: each exit path in a few bytes (64-bit, ring 0) ------------
# mov eax, 42; mov dx, 0x501; out dx, eax
minivmm_case(exit_port_status --kvm --status 42 --flat-hex "b8 2a 00 00 00 66 ba 01 05 ef"
             -- ${MINIVMM} run --flat FLAT_IMAGE)
# mov al, 3; out 0xf4, al  (QEMU isa-debug-exit: (3 << 1) | 1)
minivmm_case(isa_debug_exit_status --kvm --status 7 --flat-hex "b0 03 e6 f4"
             -- ${MINIVMM} run --flat FLAT_IMAGE)
# Who ended the run: no guest status posing as minivmm's, minivmm's reason always on stderr,
# --result FILE (exit_status_checks.sh).
if(TARGET minivmm-test)
  set(exit_checks_test_binary $<TARGET_FILE:minivmm-test>)
else()
  set(exit_checks_test_binary "")
endif()
foreach(check guest_cannot_pose_as_minivmm isa_debug_exit_told_apart minivmm_says_why)
  add_test(NAME integration.exit_status.${check}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/exit_status_checks.sh ${MINIVMM}
                   "${exit_checks_test_binary}" ${G} ${check})
  set_tests_properties(integration.exit_status.${check} PROPERTIES LABELS integration
                       SKIP_RETURN_CODE 77)
endforeach()
# mov dx, 0x3f8; mov al,'H'; out; mov al,'i'; out; mov al,'\n'; out; xor eax,eax; mov dx,0x501; out
minivmm_case(flat_guest_prints --kvm --status 0 --stdout-match "^Hi$" --stdout-lines 1
             --flat-hex "66 ba f8 03 b0 48 ee b0 69 ee b0 0a ee 31 c0 66 ba 01 05 ef"
             -- ${MINIVMM} run --flat --load-addr 0x200000 FLAT_IMAGE)
# hlt (interrupts off), on the polled machine: with an irqchip KVM halts in the kernel instead
# (interrupts.cmake: hlt_with_irqchip_sleeps_until_timeout)
minivmm_case(hlt_reported --kvm --status 81 --stderr-match "KVM_EXIT_HLT" --flat-hex "f4"
             -- ${MINIVMM} run --no-irqchip --flat FLAT_IMAGE)
# ud2 with no IDT: #UD cannot be delivered -> #DF -> triple fault
minivmm_case(ud2_without_idt_triple_faults --kvm --status 80 --stderr-match "kernel mode, ring 0"
             --flat-hex "0f 0b" -- ${MINIVMM} run --flat FLAT_IMAGE)
# mov rax, 0xd0000000; mov eax, [rax]; mov dx, 0x501; out dx, eax: unclaimed MMIO reads all
# ones, and 0xffffffff written to the exit port ends the run with 63, the highest guest status
minivmm_case(unclaimed_mmio_reads_all_ones --kvm --status 63 --stderr-match "MMIO read 0xd0000000"
             --stderr-match "the guest wrote 4294967295 to exit port 0x501"
             --flat-hex "48 b8 00 00 00 d0 00 00 00 00 8b 00 66 ba 01 05 ef"
             -- ${MINIVMM} run --flat FLAT_IMAGE)
minivmm_case(strict_io_stops_at_unclaimed_mmio --kvm --status 85
             --stderr-match "MMIO read of 4 bytes at 0xd0000000"
             --flat-hex "48 b8 00 00 00 d0 00 00 00 00 8b 00 66 ba 01 05 ef"
             -- ${MINIVMM} run --strict-io --flat FLAT_IMAGE)

# --- bad guest files ---------------------------------------------------------------------
minivmm_case(missing_guest_file --status 66 --stderr-match "cannot open guest '/nonexistent/guest.elf'"
             -- ${MINIVMM} run /nonexistent/guest.elf)
minivmm_case(text_file_is_not_elf --kvm --status 65 --stderr-match "not an ELF"
             -- ${MINIVMM} run ${CMAKE_CURRENT_SOURCE_DIR}/integration/ctrl-a-x.txt)
minivmm_case(pie_executable_refused --kvm --status 65 --stderr-match "ET_DYN"
             -- ${MINIVMM} run ${PIE_ELF})
minivmm_case(flat_image_outside_ram --kvm --status 65 --stderr-match "outside"
             --flat-hex "f4" -- ${MINIVMM} run -m 4M --flat --load-addr 0x400000 FLAT_IMAGE)
minivmm_case(flat_image_over_reserved_pages --kvm --status 65 --stderr-match "reserved"
             --flat-hex "f4" -- ${MINIVMM} run --flat --load-addr 0x2000 FLAT_IMAGE)
minivmm_case(guest_too_big_for_memory --kvm --status 65 --stderr-match "-m"
             -- ${MINIVMM} run -m 2M)

# Bad input costs nothing: checked before RAM is written, no zeroing of zero RAM
# (loader_checks.sh: peak RSS and time of each run, images from make_images.py).
foreach(check zero_bss_not_committed refused_image_costs_nothing advice_works
        big_modules_refused_fast)
  add_test(NAME integration.loader.${check}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/loader_checks.sh ${MINIVMM} ${check})
  set_tests_properties(integration.loader.${check} PROPERTIES LABELS integration
                       SKIP_RETURN_CODE 77)
endforeach()

# --- bad options and environments ----------------------------------------------------------
minivmm_case(memory_too_small --kvm --status 64 --stderr-match "between 2M and 3G" -- ${MINIVMM} run -m 1M)
minivmm_case(memory_too_large --kvm --status 64 --stderr-match "between 2M and 3G" -- ${MINIVMM} run -m 4G)
minivmm_case(memory_not_a_size --status 64 --stderr-match "invalid memory size 'lots'"
             -- ${MINIVMM} run -m lots)
minivmm_case(unknown_option --status 64
             --stderr-match "^minivmm run: unknown option '--frobnicate' \\(see minivmm run --help\\)$"
             -- ${MINIVMM} run --frobnicate)
minivmm_case(bad_timeout --status 64 --stderr-match "invalid --timeout" -- ${MINIVMM} run --timeout -1)
minivmm_case(two_guests --status 64 --stderr-match "unexpected argument" -- ${MINIVMM} run a.elf b.elf)
minivmm_case(unknown_builtin_guest --status 64 --stderr-match "no built-in guest 'nosuch'"
             -- ${MINIVMM} run --guest nosuch)
minivmm_case(unknown_command --status 64
             --stderr-match "^minivmm: unknown command 'fly': give one of run, restore, info, compare, bench, top, help or version"
             -- ${MINIVMM} fly)
minivmm_case(kvm_empty_path --status 64
             --stderr-match "^minivmm run: empty path for --kvm: give one, e.g. --kvm /dev/kvm"
             -- ${MINIVMM} run --kvm=)
minivmm_case(info_kvm_empty_path --status 64 --stderr-match "^minivmm info: empty path for --kvm"
             -- ${MINIVMM} info --kvm=)
# A device node with no driver behind it (ENXIO: /dev/tty without a controlling terminal, which
# setsid takes away) is not KVM; "does not exist" sent users looking for a file that is there.
minivmm_case(kvm_device_without_driver --status 69
             --stderr-match "^minivmm: /dev/tty is not a KVM device \\(opening it failed: No such device or address\\): point --kvm at /dev/kvm$"
             -- setsid -w ${MINIVMM} run --kvm /dev/tty)
minivmm_case(missing_module_named --status 66
             --stderr-match "^minivmm: cannot open --module file '/nonexistent/module.bin': No such file"
             -- ${MINIVMM} run --boot multiboot --module /nonexistent/module.bin)
minivmm_case(no_kvm_device --status 69 --stderr-match "does not exist: KVM is not available"
             -- ${MINIVMM} run --kvm /nonexistent/kvm)
minivmm_case(kvm_device_not_kvm --status 69 --stderr-match "not a KVM device"
             -- ${MINIVMM} run --kvm /dev/null)

# --- the command line: one option parser for every command (issue 11), one form per number
# (issue 13); every refusal is one line naming the command and the option, status 64.
minivmm_case(bench_leftover_argument --status 64
             --stderr-match "^minivmm bench: unexpected argument 'extra': give options only \\(see minivmm bench --help\\)$"
             -- ${MINIVMM} bench --iterations 100 --repeats 1 extra --json x.json)
minivmm_case(bench_unknown_option --status 64
             --stderr-match "^minivmm bench: unknown option '--foo' \\(see minivmm bench --help\\)$"
             -- ${MINIVMM} bench --foo)
minivmm_case(bench_missing_value --status 64
             --stderr-match "^minivmm bench: missing value for --json \\(see minivmm bench --help\\)$"
             -- ${MINIVMM} bench --json)
minivmm_case(bench_hex_count_refused --status 64 --stderr-match "invalid --iterations '0x100'"
             -- ${MINIVMM} bench --iterations 0x100)
# tools/bench's reference for boot to first byte: the byte the bare-KVM guest hands to its port
# (a newline) and nothing else on stdout.
minivmm_case(bench_boot_floor_prints_the_guest_byte --kvm --status 0 --stdout-lines 1
             --stdout-match "^$" -- ${MINIVMM} bench --boot-floor)
minivmm_case(bench_boot_floor_not_kvm --status 69
             --stderr-match "^minivmm: /dev/null is not a KVM device .*point --kvm at /dev/kvm$"
             -- ${MINIVMM} bench --boot-floor --kvm /dev/null)
minivmm_case(compare_exponent_refused --status 64 --stderr-match "^minivmm compare: invalid --scale '1e-3'"
             -- ${MINIVMM} compare --scale 1e-3)
minivmm_case(info_signed_count_refused --status 64 --stderr-match "^minivmm info: invalid --cpus '\\+2'"
             -- ${MINIVMM} info --cpuid --cpus +2)
minivmm_case(timeout_hex_refused --status 64
             --stderr-match "^minivmm run: invalid --timeout '0x10': give seconds above 0"
             -- ${MINIVMM} run --timeout 0x10)
minivmm_case(cpus_sign_refused --status 64 --stderr-match "invalid --cpus '\\+2'"
             -- ${MINIVMM} run --cpus +2)
minivmm_case(cpus_blank_refused --status 64 --stderr-match "invalid --cpus ' 2'"
             -- ${MINIVMM} run --cpus " 2")
minivmm_case(option_after_guest --status 64
             --stderr-match "option '--trace' after GUEST 'a.elf': put options before GUEST"
             -- ${MINIVMM} run a.elf --trace)
minivmm_case(no_command --status 64 --stderr-match "^minivmm: no command given: give one of run, "
             -- ${MINIVMM})
minivmm_case(help_lists_commands --status 0 --stdout-match "^usage: minivmm COMMAND"
             --stdout-match "^  bench +exit round trips" --stdout-match "^  help +"
             -- ${MINIVMM} --help)
minivmm_case(help_unknown_command --status 64
             --stderr-match "^minivmm help: unknown command 'fly': give one of run, "
             -- ${MINIVMM} help fly)
# Each command's own help, both ways: its usage line alone, not the general one.
foreach(command run restore info compare bench top help version)
  minivmm_case(help_${command} --status 0 --stdout-match "^usage: minivmm ${command} "
               --stdout-match "^  -h, --help +this text$" -- ${MINIVMM} help ${command})
  minivmm_case(${command}_dash_dash_help --status 0
               --stdout-match "^usage: minivmm ${command} "
               --stdout-match "^  -h, --help +this text$" -- ${MINIVMM} ${command} --help)
endforeach()
minivmm_case(help_run_lists_options --status 0 --stdout-match "^usage: minivmm run \\[options\\] \\[GUEST\\]$"
             --stdout-match "^      --cpus N " --stdout-match "^      --timeout SECS "
             -- ${MINIVMM} help run)
minivmm_case(help_tells_exit_statuses --status 0 --stdout-match "Exit status" --stdout-match "124 --timeout"
             -- ${MINIVMM} --help)
minivmm_case(version --status 0 --stdout-match "^minivmm [0-9]+\\.[0-9]+\\.[0-9]+$" -- ${MINIVMM} --version)
minivmm_case(list_guests --status 0 --stdout-match "hello .*\\(default\\)" --stdout-match "triple-fault"
             -- ${MINIVMM} run --list-guests)
minivmm_case(info_reports_kvm --kvm --status 0 --stdout-match "KVM API version 12"
             --stdout-match "KVM_CAP_IMMEDIATE_EXIT +yes" --stdout-match "vmx/svm"
             -- ${MINIVMM} info)
minivmm_case(info_without_kvm --status 69 --stdout-match "not usable" -- ${MINIVMM} info --kvm /nonexistent)
minivmm_case(kvm_permission_denied --kvm --as-nobody --status 77
             --stderr-match "permission denied opening /dev/kvm: add your user to its group"
             -- ${MINIVMM} run)

# --- bench.elf: every workload runs and reports (timings are the benchmark's business) ------
# Small iteration counts: ring-0 work and each exit are slow on a nested host.
foreach(workload compute compute-kernel pio pio-syscall mmio mmio-syscall ioeventfd-pio
        ioeventfd-mmio coalesced-mmio cpuid syscall)
  minivmm_case(bench_${workload} --kvm --status 0
               --stdout-match "^@result workload=${workload} iters=200 repeat=0 tsc=[0-9]+"
               --stdout-match "^@result workload=${workload} iters=200 repeat=1 tsc=[0-9]+"
               --stdout-match "^@done"
               -- ${MINIVMM} run --cmdline "workload=${workload} iters=200 repeats=2" ${G}/bench.elf)
endforeach()
# Host and guest run the same C: the checksum is the host's (tests/unit/test_workloads.c pins
# it), in ring 3 and in ring 0 alike.
foreach(workload compute compute-kernel)
  minivmm_case(bench_${workload}_checksum_matches_host --kvm --status 0
               --stdout-match "^@result workload=${workload} iters=200 .* check=0x300d34920ca488dd"
               -- ${MINIVMM} run --cmdline "workload=${workload} iters=200 repeats=1" ${G}/bench.elf)
endforeach()
minivmm_case(bench_mem_first_and_second_touch --kvm --status 0
             --stdout-match "^@result workload=mem phase=first mib=4 pages=1024 repeat=0 tsc=[0-9]+"
             --stdout-match "^@result workload=mem phase=second mib=4 pages=1024 repeat=1 tsc=[0-9]+"
             --stdout-match "^@done"
             -- ${MINIVMM} run -m 16M --cmdline "workload=mem mib=4 repeats=2" ${G}/bench.elf)
minivmm_case(bench_mem_needs_ram --kvm --status 1 --stdout-match "give the VM more memory with -m"
             -- ${MINIVMM} run -m 8M --cmdline "workload=mem mib=64" ${G}/bench.elf)
minivmm_case(bench_unknown_word --kvm --status 2 --stdout-match "unknown key 'speed'"
             -- ${MINIVMM} run --cmdline "workload=pio speed=11" ${G}/bench.elf)
minivmm_case(bench_unknown_workload --kvm --status 2 --stdout-match "unknown workload"
             -- ${MINIVMM} run --cmdline "workload=warp" ${G}/bench.elf)
minivmm_case(bench_bad_number --kvm --status 2 --stdout-match "iters=1e6: expected a positive"
             -- ${MINIVMM} run --cmdline "workload=cpuid iters=1e6" ${G}/bench.elf)

# --- exit tracing ---------------------------------------------------------------------------
foreach(check uart_exits_match_stdout_bytes filter_keeps_only_named_port stats_totals_equal_records
        million_exits_nothing_dropped json_has_every_record timeline_svg_well_formed bad_trace_file
        in_kernel_counts_add_up uart_fifo_used_and_never_overfilled batched_uart_writes_lose_nothing
        batched_output_drained_while_guest_waits batched_idle_vm_drains_slowly)
  add_test(NAME integration.trace.${check}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/trace_checks.sh ${MINIVMM} ${check})
  set_tests_properties(integration.trace.${check} PROPERTIES LABELS integration
                       SKIP_RETURN_CODE 77)
endforeach()
minivmm_case(device_syscalls_validate_arguments --kvm --status 0
             --stdout-match "^device syscalls: all checks passed"
             --stdout-match "^device syscalls: a write with DF set\r$" --stdout-lines 3
             -- ${MINIVMM} run -m 16M ${G}/device-syscalls.elf)

# --- minivmm compare and minivmm bench: mechanics, not speed ----------------------------------
foreach(check compare_exit_counts compare_table_and_svg bench_json_keys)
  add_test(NAME integration.${check}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/compare_checks.sh ${MINIVMM} ${check})
  set_tests_properties(integration.${check} PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
endforeach()

# --- areas with their own case files ---------------------------------------------------------
include(${CMAKE_CURRENT_LIST_DIR}/interrupts.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/security.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/multiboot.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/pc_check.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/virtio.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/smp.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/gdb.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/api.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/lifecycle.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/snapshot.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/pc_platform.cmake)
