# SPDX-License-Identifier: MIT
# A VM's life around the guest (included from cases.cmake): the teardown helper that keeps KVM's
# VM destruction off the user's path (vmm/host/teardown_handoff.c), and the tool that shows where
# a boot's time goes.
add_test(NAME integration.teardown_helper_holds_only_the_vm
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/teardown_checks.sh $<TARGET_FILE:minivmm>)
set_tests_properties(integration.teardown_helper_holds_only_the_vm PROPERTIES
                     LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)

# tools/boot-timeline: a real boot's system calls and KVM ioctls, in order, with the guest's first
# serial write and stdout's first byte (skipped, exit 77, without root or tracefs).
add_test(NAME integration.boot_timeline_sees_the_boot
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/boot_timeline_checks.py
                 ${PROJECT_SOURCE_DIR}/tools/boot-timeline $<TARGET_FILE:minivmm>
                 ${MINIVMM_GUEST_DIR}/hello.elf)
set_tests_properties(integration.boot_timeline_sees_the_boot PROPERTIES
                     LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 120)
