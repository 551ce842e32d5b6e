# SPDX-License-Identifier: MIT
# A VM's life around the guest (included from cases.cmake): the teardown helper that keeps KVM's
# VM destruction off the user's path (vmm/host/teardown_handoff.c).
add_test(NAME integration.teardown_helper_holds_only_the_vm
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/teardown_checks.sh $<TARGET_FILE:minivmm>)
set_tests_properties(integration.teardown_helper_holds_only_the_vm PROPERTIES
                     LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)
