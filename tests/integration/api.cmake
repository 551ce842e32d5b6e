# SPDX-License-Identifier: MIT
# Integration cases for the control socket, `minivmm run --api-sock` (included from cases.cmake;
# docs/api.md). api_checks.py is the client: it drives the shell guest and checks every reply.
set(API_CHECKS ${CMAKE_CURRENT_LIST_DIR}/api_checks.py)
foreach(check every_command pause_holds_cpu pause_holds_cpu_smp guest_events bad_requests oversized_and_vanishing
              socket_refusals top_agrees_with_stats top_plain_and_json_stream
              top_keys stats_counts_batched_writes)
  add_test(NAME integration.api.${check} COMMAND python3 ${API_CHECKS} ${MINIVMM} ${check})
  set_tests_properties(integration.api.${check} PROPERTIES LABELS integration SKIP_RETURN_CODE 77
                       TIMEOUT 120)
endforeach()
