# SPDX-License-Identifier: MIT
# Integration cases for this area (included from cases.cmake).
# --- the PC platform devices (vmm/devices/acpi_pm.c, docs/platform.md) ------------------------
set(PC_GUEST ${CMAKE_CURRENT_BINARY_DIR}/pc_platform_guest.elf)
add_custom_command(OUTPUT ${PC_GUEST}
  COMMAND ${CMAKE_C_COMPILER} -m32 -c -I${PROJECT_SOURCE_DIR}/vmm -o ${PC_GUEST}.o
          ${CMAKE_CURRENT_SOURCE_DIR}/integration/pc_platform_guest.S
  COMMAND ${CMAKE_LINKER} -m elf_i386 -Ttext=0x100000 -e _start -o ${PC_GUEST} ${PC_GUEST}.o
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/integration/pc_platform_guest.S
          ${PROJECT_SOURCE_DIR}/vmm/platform/pc_layout.h VERBATIM)
add_custom_target(pc_platform_guest ALL DEPENDS ${PC_GUEST})

# reads the PM timer twice, PCI 00:00.0 and 00:01.0, then S5: status 0 and "guest powered off"
minivmm_case(pc_pm_timer_pci_and_s5_power_off --kvm --status 0
             --stdout-match "^pm timer moves forward"
             --stdout-match "^pci 00:00.0 host bridge, 00:01.0 absent"
             --stdout-match "^entering S5" --stderr-match "guest powered off"
             -- ${MINIVMM} run ${PC_GUEST})
