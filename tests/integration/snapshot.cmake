# SPDX-License-Identifier: MIT
# Integration cases for snapshots, `minivmm restore` (included from cases.cmake;
# docs/snapshot.md). snapshot_checks.py drives the shell guest; snapshot_roundtrip (built in
# tests/CMakeLists.txt) restores a snapshot and saves it again before any vCPU runs.
set(SNAPSHOT_CHECKS ${CMAKE_CURRENT_LIST_DIR}/snapshot_checks.py)
foreach(check round_trip restore_continues snapshot_on_exit bad_snapshots smp_and_polled
              virtio_continues)
  add_test(NAME integration.snapshot.${check}
           COMMAND python3 ${SNAPSHOT_CHECKS} ${MINIVMM} $<TARGET_FILE:snapshot_roundtrip> ${check})
  set_tests_properties(integration.snapshot.${check} PROPERTIES LABELS integration
                       SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()
