# SPDX-License-Identifier: MIT
# Integration cases for this area (included from cases.cmake).
# --- Multiboot v1 (vmm/loader/multiboot*.c, guest/kernel/entry32.S) and tools/bench -----------
set(MB_CHECKS ${CMAKE_CURRENT_SOURCE_DIR}/integration/multiboot_checks.sh)
function(multiboot_check name)
  add_test(NAME integration.${name} COMMAND ${MB_CHECKS} ${ARGN})
  set_tests_properties(integration.${name} PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
endfunction()

minivmm_case(multiboot_hello_boots --kvm --status 0 --stdout-match "^hello from ring 3"
             --stdout-match "^cmdline: \"console=ttyS0 a=b\"" --stdout-match "^ram: 96 MiB"
             -- ${MINIVMM} run --boot multiboot -m 96M --cmdline "console=ttyS0 a=b" ${G}/hello.elf)
minivmm_case(multiboot_builtin_guest --kvm --status 40 --stdout-match "user mode"
             -- ${MINIVMM} run --boot multiboot --guest fault-user)
minivmm_case(multiboot_modules_accepted --kvm --status 0 --stdout-match "^bye"
             -- ${MINIVMM} run --boot multiboot --module ${CMAKE_CURRENT_SOURCE_DIR}/integration/ctrl-a-x.txt,initrd
             --module ${RUN_CASE} ${G}/hello.elf)
multiboot_check(multiboot_same_output_as_direct same-output ${MINIVMM} ${G}/hello.elf)
multiboot_check(multiboot_modules_on_reboot modules-on-reboot ${MINIVMM} ${RUN_CASE})
multiboot_check(multiboot_same_output_under_qemu qemu-same-output ${MINIVMM} ${G}/hello.elf)

# --- refusals, each with a message that says what to do ----------------------------------------
minivmm_case(multiboot_ram_too_small --kvm --status 65 --stderr-match "give -m 3M or more"
             -- ${MINIVMM} run --boot multiboot -m 2M ${G}/hello.elf)
minivmm_case(multiboot_header_missing --kvm --status 65 --stderr-match "no multiboot header"
             -- ${MINIVMM} run --boot multiboot ${CMAKE_CURRENT_SOURCE_DIR}/integration/ctrl-a-x.txt)
# magic 0x1BADB002, flags 0x00010004 (video mode + kludge), checksum: bit 2 cannot be met
minivmm_case(multiboot_video_mode_refused --kvm --status 65 --stderr-match "video mode"
             --flat-hex "02 b0 ad 1b 04 00 01 00 fa 4f 51 e4"
             -- ${MINIVMM} run --boot multiboot FLAT_IMAGE)
# the magic with a wrong checksum
minivmm_case(multiboot_bad_checksum --kvm --status 65 --stderr-match "wrong checksum"
             --flat-hex "02 b0 ad 1b 00 00 01 00 00 00 00 00"
             -- ${MINIVMM} run --boot multiboot FLAT_IMAGE)
minivmm_case(module_needs_multiboot --kvm --status 64 --stderr-match "--module needs a multiboot"
             -- ${MINIVMM} run --module ${RUN_CASE} ${G}/hello.elf)
minivmm_case(boot_protocol_unknown --status 64 --stderr-match "invalid --boot 'bios'"
             -- ${MINIVMM} run --boot bios ${G}/hello.elf)

# --- tools/bench: runs with tiny counts and writes well-formed JSON (QEMU parts SKIPPED without
# QEMU, visibly in its output) ---------------------------------------------------------------
multiboot_check(bench_writes_json bench-json ${PROJECT_SOURCE_DIR}/tools/bench ${PROJECT_BINARY_DIR})

# --- an ELF32 multiboot kernel (no a.out kludge): loaded through its program headers ---------
set(MB32_ELF ${CMAKE_CURRENT_BINARY_DIR}/multiboot_elf32.elf)
add_custom_command(OUTPUT ${MB32_ELF}
  COMMAND ${CMAKE_C_COMPILER} -m32 -c -o ${MB32_ELF}.o ${CMAKE_CURRENT_SOURCE_DIR}/integration/multiboot_elf32.S
  COMMAND ${CMAKE_LINKER} -m elf_i386 -Ttext=0x100000 -e _start -o ${MB32_ELF} ${MB32_ELF}.o
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/integration/multiboot_elf32.S VERBATIM)
add_custom_target(multiboot_elf32_kernel ALL DEPENDS ${MB32_ELF})
# auto-detected as multiboot; status = 1 module + 10 for a command line starting with "x"
minivmm_case(multiboot_elf32_kernel_boots --kvm --status 11 --stdout-match "^mb32 ok"
             -- ${MINIVMM} run --cmdline "x y" --module ${RUN_CASE},script ${MB32_ELF})

# --- issue 14: kernels load where a PC has memory, from 0x1000 up; minivmm's own data stays out
# of their way (docs/platform.md) ----------------------------------------------------------------
# The same ELF32 kernel linked at 0x8000 (conventional memory) and at 0xF0000 (the BIOS area,
# where the firmware tables are): -N keeps the ELF headers out of the loaded segment.
foreach(where low:0x8000 bios:0xf0000)
  string(REPLACE ":" ";" parts ${where})
  list(GET parts 0 tag)
  list(GET parts 1 addr)
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/multiboot_elf32_${tag}.elf)
  add_custom_command(OUTPUT ${elf}
    COMMAND ${CMAKE_C_COMPILER} -m32 -c -o ${elf}.o ${CMAKE_CURRENT_SOURCE_DIR}/integration/multiboot_elf32.S
    COMMAND ${CMAKE_LINKER} -m elf_i386 -N --no-warn-rwx-segments -Ttext=${addr} -e _start -o ${elf} ${elf}.o
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/integration/multiboot_elf32.S VERBATIM)
  add_custom_target(multiboot_elf32_${tag}_kernel ALL DEPENDS ${elf})
endforeach()
# status 10: no module, and the second word of "FILE x y" starts with "x"
minivmm_case(multiboot_kernel_below_640k_boots --kvm --status 10 --stdout-match "^mb32 ok"
             -- ${MINIVMM} run --cmdline "x y" ${CMAKE_CURRENT_BINARY_DIR}/multiboot_elf32_low.elf)
minivmm_case(multiboot_kernel_over_the_tables_refused --kvm --status 65
             --stderr-match "0xf1000., the ACPI and MP tables, which the PC reserves"
             -- ${MINIVMM} run ${CMAKE_CURRENT_BINARY_DIR}/multiboot_elf32_bios.elf)
# the multiboot information lives in a fixed 60 KiB area: a longer command line is the user's
string(REPEAT "a" 65536 MB_LONG_CMDLINE)
minivmm_case(multiboot_cmdline_too_long_refused --kvm --status 64
             --stderr-match "shorten --cmdline"
             -- ${MINIVMM} run --cmdline ${MB_LONG_CMDLINE} ${MB32_ELF})
