# SPDX-License-Identifier: MIT
# The PC platform test kernel (tests/kernels/pc_check, included from cases.cmake): a Multiboot v1
# ELF32 kernel built with the host compiler (freestanding, no libc) and run under minivmm and
# under QEMU -M pc with the same expectations (pc_check.sh lists them).
set(PC_CHECK_DIR ${CMAKE_CURRENT_SOURCE_DIR}/kernels/pc_check)
set(PC_CHECK_OBJ_DIR ${CMAKE_CURRENT_BINARY_DIR}/pc_check)
set(PC_CHECK_ELF ${CMAKE_CURRENT_BINARY_DIR}/pc_check.elf)
file(GLOB PC_CHECK_SOURCES CONFIGURE_DEPENDS ${PC_CHECK_DIR}/*.c ${PC_CHECK_DIR}/*.S)
file(GLOB PC_CHECK_HEADERS CONFIGURE_DEPENDS ${PC_CHECK_DIR}/*.h)
# i686 without SSE, MMX or x87 (the kernel uses none); no CET (endbr32 is not in every
# emulator); no stack protector or PIC (no runtime to support them).
set(PC_CHECK_CFLAGS -m32 -march=i686 -mno-sse -mno-mmx -mno-80387 -ffreestanding -nostdlib
    -fno-pic -static -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables
    -O2 -std=gnu17 -Wall -Wextra -Werror)
set(pc_check_objects)
set(pc_check_compiles)
foreach(src IN LISTS PC_CHECK_SOURCES)
  get_filename_component(name ${src} NAME)
  list(APPEND pc_check_objects ${PC_CHECK_OBJ_DIR}/${name}.o)
  list(APPEND pc_check_compiles COMMAND ${CMAKE_C_COMPILER} ${PC_CHECK_CFLAGS} -c
       -o ${PC_CHECK_OBJ_DIR}/${name}.o ${src})
endforeach()
add_custom_command(OUTPUT ${PC_CHECK_ELF}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PC_CHECK_OBJ_DIR}
  ${pc_check_compiles}
  COMMAND ${CMAKE_LINKER} -m elf_i386 -T ${PC_CHECK_DIR}/pc_check.ld -o ${PC_CHECK_ELF}
          ${pc_check_objects}
  DEPENDS ${PC_CHECK_SOURCES} ${PC_CHECK_HEADERS} ${PC_CHECK_DIR}/pc_check.ld VERBATIM)
add_custom_target(pc_check_kernel ALL DEPENDS ${PC_CHECK_ELF})

set(PC_CHECK_SH ${CMAKE_CURRENT_SOURCE_DIR}/integration/pc_check.sh)
foreach(cpus 1 2 4)
  add_test(NAME integration.pc_check_minivmm_cpus_${cpus}
           COMMAND ${PC_CHECK_SH} minivmm ${PC_CHECK_ELF} ${cpus} ${MINIVMM})
  add_test(NAME integration.pc_check_qemu_cpus_${cpus}
           COMMAND ${PC_CHECK_SH} qemu ${PC_CHECK_ELF} ${cpus})
  set_tests_properties(integration.pc_check_minivmm_cpus_${cpus} integration.pc_check_qemu_cpus_${cpus}
                       PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
endforeach()
