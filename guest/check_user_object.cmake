# SPDX-License-Identifier: MIT
# Fails if a program's relocatable object (crt0 + user library + program) still needs a symbol
# from outside: the final link would quietly resolve it against the kernel, letting ring-3 code
# call ring-0 functions. Usage: cmake -DNM=<nm> -DOBJECT=<file.o> -P check_user_object.cmake
execute_process(COMMAND ${NM} --undefined-only ${OBJECT} OUTPUT_VARIABLE undefined
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${OBJECT}")
endif()
if(NOT undefined STREQUAL "")
  message(FATAL_ERROR "${OBJECT}: the program uses symbols it does not define:\n${undefined}")
endif()
