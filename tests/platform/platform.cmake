# SPDX-License-Identifier: MIT
# The PC firmware tables (vmm/platform/) as a guest finds them in a real VM's RAM, checked by the
# ACPI reference tools: iasl_check.sh runs fw_dump for several machines and `iasl -d` on every
# table; any error or warning fails. Exit 77 (SKIP) without /dev/kvm or iasl.
set(IASL_CHECK ${CMAKE_CURRENT_SOURCE_DIR}/platform/iasl_check.sh)
add_test(NAME integration.firmware_tables_iasl
         COMMAND ${IASL_CHECK} $<TARGET_FILE:fw_dump> ${MINIVMM_GUEST_DIR}/hello.elf)
set_tests_properties(integration.firmware_tables_iasl PROPERTIES LABELS integration
                     SKIP_RETURN_CODE 77)
