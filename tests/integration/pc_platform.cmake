# SPDX-License-Identifier: MIT
# Integration cases for this area (included from cases.cmake).
# --- the PC platform devices (vmm/devices/acpi_pm.c, docs/platform.md) ------------------------
# pc_guest(OUTPUT SOURCE [DEFINES...]): an ELF32 multiboot kernel from one assembly file.
function(pc_guest output source)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_C_COMPILER} -m32 -c ${ARGN} -I${PROJECT_SOURCE_DIR}/vmm -o ${output}.o
            ${CMAKE_CURRENT_SOURCE_DIR}/integration/${source}
    COMMAND ${CMAKE_LINKER} -m elf_i386 -Ttext=0x100000 -e _start -o ${output} ${output}.o
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/integration/${source}
            ${CMAKE_CURRENT_SOURCE_DIR}/integration/pc_guest_lib.h
            ${CMAKE_CURRENT_SOURCE_DIR}/integration/pc_guest_lib.S
            ${PROJECT_SOURCE_DIR}/vmm/platform/pc_layout.h VERBATIM)
endfunction()
set(PC_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_platform_guest.elf)
set(PC_SMP_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_smp_guest.elf)
set(PC_SMP_REBOOT_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_smp_reboot_guest.elf)
pc_guest(${PC_GUEST} pc_platform_guest.S)
pc_guest(${PC_SMP_GUEST} pc_smp_guest.S)
pc_guest(${PC_SMP_REBOOT_GUEST} pc_smp_guest.S -DREBOOT_TEST)
set(PC_S3_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_s3_guest.elf)
set(PC_S3_NO_VECTOR_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_s3_no_vector_guest.elf)
pc_guest(${PC_S3_GUEST} pc_s3_guest.S)
pc_guest(${PC_S3_NO_VECTOR_GUEST} pc_s3_guest.S -DNO_VECTOR)
set(PC_S3_CONSOLE_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_s3_console_guest.elf)
pc_guest(${PC_S3_CONSOLE_GUEST} pc_s3_guest.S -DCONSOLE_WAKE)
set(PC_S3_X_VECTOR_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_s3_x_vector_guest.elf)
pc_guest(${PC_S3_X_VECTOR_GUEST} pc_s3_guest.S -DX_VECTOR)
set(PC_S3_SMP_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_s3_smp_guest.elf)
pc_guest(${PC_S3_SMP_GUEST} pc_s3_guest.S -DSMP)
add_custom_target(pc_platform_guest ALL DEPENDS ${PC_GUEST} ${PC_SMP_GUEST} ${PC_SMP_REBOOT_GUEST}
                  ${PC_S3_GUEST} ${PC_S3_NO_VECTOR_GUEST} ${PC_S3_CONSOLE_GUEST}
                  ${PC_S3_X_VECTOR_GUEST} ${PC_S3_SMP_GUEST})

# reads the PM timer twice, PCI 00:00.0 and 00:1f.0, then S5: status 0 and "guest powered off"
minivmm_case(pc_pm_timer_pci_and_s5_power_off --kvm --status 0
             --stdout-match "^pm timer moves forward"
             --stdout-match "^pci 00:00.0 host bridge, 00:1f.0 absent"
             --stdout-match "^entering S5" --stderr-match "guest powered off"
             -- ${MINIVMM} run ${PC_GUEST})

# --- multiboot SMP: the APs wait for the kernel's INIT-SIPI-SIPI (boot_protocol.c) -------------
minivmm_case(pc_multiboot_smp_ap_started_by_sipi --kvm --status 0 --max-seconds 60
             --stdout-match "^ap 1 started by INIT-SIPI-SIPI" --stderr-match "guest powered off"
             -- ${MINIVMM} run --cpus 2 ${PC_SMP_GUEST})
# --reboot puts the AP back into wait-for-SIPI: it stops running the old boot's code, and the
# second boot starts it again
minivmm_case(pc_multiboot_smp_reboot_waits_for_sipi --kvm --status 0 --max-seconds 60
             --stdout-match "^rebooted" --stdout-match "^ap 1 started again after the reboot"
             -- ${MINIVMM} run --reboot --cpus 2 ${PC_SMP_REBOOT_GUEST})
minivmm_case(pc_multiboot_smp_needs_irqchip --kvm --status 64 --stderr-match "in-kernel LAPIC"
             -- ${MINIVMM} run --no-irqchip --cpus 2 ${PC_SMP_GUEST})
minivmm_case(pc_multiboot_smp_refuses_direct_smp --kvm --status 64
             --stderr-match "--direct-smp needs the direct 64-bit boot"
             -- ${MINIVMM} run --direct-smp --cpus 2 ${PC_SMP_GUEST})

# --- ACPI S3: suspend to RAM, the RTC alarm wakes it at the FACS waking vector (sleep.c) -------
minivmm_case(pc_s3_rtc_alarm_wakes_at_the_vector --kvm --status 0 --max-seconds 60
             --stdout-match "^entering S3" --stdout-match "^woke from S3"
             --stderr-match "suspended to RAM" --stderr-match "guest woke from S3 \\(RTC alarm\\)"
             -- ${MINIVMM} run ${PC_S3_GUEST})
# FACS version 1 with X_Firmware_Waking_Vector: 32-bit protected mode at that address
minivmm_case(pc_s3_x_vector_in_protected_mode --kvm --status 0 --max-seconds 60
             --stdout-match "^woke from S3 in protected mode"
             --stderr-match "resuming at X_Firmware_Waking_Vector"
             -- ${MINIVMM} run ${PC_S3_X_VECTOR_GUEST})
# with an AP started before the sleep: after the wake it waits for a SIPI, and starts again
minivmm_case(pc_s3_aps_wait_for_sipi_after_wake --kvm --status 0 --max-seconds 60
             --stdout-match "^ap 1 waited for a SIPI after the wake and started again"
             -- ${MINIVMM} run --cpus 2 ${PC_S3_SMP_GUEST})
# no waking vector: the wake is a platform reset, as PC firmware boots from scratch
minivmm_case(pc_s3_without_vector_resets --kvm --status 87 --max-seconds 60
             --stderr-match "Firmware_Waking_Vector is 0x0 \\(none set\\)"
             --stderr-match "S3 wake without a waking vector"
             -- ${MINIVMM} run ${PC_S3_NO_VECTOR_GUEST})
# RTC_EN clear: the alarm does not wake it, a key on the console does (pc_platform_checks.sh)
add_test(NAME integration.pc_s3_console_key_wakes
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/pc_platform_checks.sh s3-console-wake ${MINIVMM}
                 ${PC_S3_CONSOLE_GUEST})
set_tests_properties(integration.pc_s3_console_key_wakes PROPERTIES LABELS integration
                     SKIP_RETURN_CODE 77)
# the same kernels under the reference platform, QEMU -M pc (SKIP without QEMU)
foreach(check IN ITEMS "pc_platform_guest;1" "pc_smp_guest;2")
  list(GET check 0 guest)
  list(GET check 1 cpus)
  add_test(NAME integration.${guest}_same_under_qemu
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/pc_platform_checks.sh qemu-same-output ${MINIVMM}
                   ${CMAKE_CURRENT_BINARY_DIR}/${guest}.elf ${cpus})
  set_tests_properties(integration.${guest}_same_under_qemu PROPERTIES LABELS integration
                       SKIP_RETURN_CODE 77)
endforeach()
