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
            ${PROJECT_SOURCE_DIR}/vmm/platform/pc_layout.h VERBATIM)
endfunction()
set(PC_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_platform_guest.elf)
set(PC_SMP_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_smp_guest.elf)
set(PC_SMP_REBOOT_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_smp_reboot_guest.elf)
pc_guest(${PC_GUEST} pc_platform_guest.S)
pc_guest(${PC_SMP_GUEST} pc_smp_guest.S)
pc_guest(${PC_SMP_REBOOT_GUEST} pc_smp_guest.S -DREBOOT_TEST)
add_custom_target(pc_platform_guest ALL DEPENDS ${PC_GUEST} ${PC_SMP_GUEST} ${PC_SMP_REBOOT_GUEST})

# reads the PM timer twice, PCI 00:00.0 and 00:01.0, then S5: status 0 and "guest powered off"
minivmm_case(pc_pm_timer_pci_and_s5_power_off --kvm --status 0
             --stdout-match "^pm timer moves forward"
             --stdout-match "^pci 00:00.0 host bridge, 00:01.0 absent"
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
