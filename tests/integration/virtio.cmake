# SPDX-License-Identifier: MIT
# Integration cases for virtio (included from cases.cmake).
# virtio-mmio: the virtio-rng device (vmm/devices/virtio_rng.c, vmm/virtio/) and its ring-3
# drivers guest/programs/virtio-rng.c and virtio-hostile.c.
minivmm_case(virtio_rng_reads_random_bytes --kvm --status 0
             --stdout-match "^virtio-rng: device at 0xd0400000: magic 0x74726976, version 2, device id 4"
             --stdout-match "^virtio-rng: read 262144 bytes in 64 buffers of 4096, 1 notifies"
             --stdout-match "^virtio-rng: first 16:( [0-9a-f]{2}){16}"
             --stdout-match "^virtio-rng: ok"
             -- ${MINIVMM} run --guest virtio-rng)
minivmm_case(virtio_rng_many_rounds_small_buffers --kvm --status 0
             --stdout-match "^virtio-rng: read 100000 bytes in 100 buffers of 1000, 2 notifies"
             -- ${MINIVMM} run --guest virtio-rng --cmdline "bytes=100000 buf=1000")
minivmm_case(virtio_rng_polled_without_irqchip --kvm --status 0 --stdout-match "^virtio-rng: ok"
             -- ${MINIVMM} run --no-irqchip --guest virtio-rng --cmdline bytes=65536)
minivmm_case(virtio_rng_bad_cmdline --kvm --status 2 --stdout-match "bad word 'size=1'"
             -- ${MINIVMM} run --guest virtio-rng --cmdline size=1)
# A machine reset resets the device (VIRTIO 1.2 section 2.4; vmm/machine/reboot.c calls
# device_table_reset_all): the first boot leaves virtio-rng at DRIVER_OK with queue 0 ready and
# resets through port 0xCF9; the second finds Status, QueueReady and InterruptStatus at 0 and its
# old ring ignored, then reads.
minivmm_case(virtio_rng_reset_by_machine_reboot --kvm --status 0
             --stdout-match "^virtio-rng: resetting the machine \\(port 0xCF9\\) with the device live"
             --stdout-match "^virtio-rng: after the reset: status 0x0, queue ready 0, interrupt status 0x0"
             --stdout-match "^virtio-rng: stale ring left alone"
             --stdout-match "^virtio-rng: ok"
             --stderr-match "guest reset \\(port 0xCF9\\): reboot 1 of at most 100"
             -- ${MINIVMM} run --reboot --guest virtio-rng --cmdline "reboot bytes=65536")
# The same, polled: no irqchip, so no irqfd.
minivmm_case(virtio_rng_reset_by_machine_reboot_polled --kvm --status 0
             --stdout-match "^virtio-rng: after the reset: status 0x0, queue ready 0, interrupt status 0x0"
             --stdout-match "^virtio-rng: ok"
             -- ${MINIVMM} run --reboot --no-irqchip --guest virtio-rng --cmdline "reboot bytes=65536")
# Every hostile queue and chain is refused with DEVICE_NEEDS_RESET, reported on stderr, and the
# VMM keeps running; -m 512M makes room for the "chain over 4 GiB" case.
minivmm_case(virtio_hostile_chains_refused --kvm --status 0 --max-seconds 120
             --stdout-match "^virtio-hostile: chain loops \\(0 -> 1 -> 0\\) +refused"
             --stdout-match "^virtio-hostile: address \\+ length wraps 2\\^64 +refused"
             --stdout-match "^virtio-hostile: chain total over 4 GiB +refused"
             --stdout-match "^virtio-hostile: used ring in the MMIO window +refused"
             --stdout-match "^virtio-hostile: honest request after all that +served"
             --stdout-match "^virtio-hostile: all refused as expected \\(0 unexpected\\)"
             --stderr-match "virtio-rng: descriptor chain longer than the queue \\(a loop\\): device needs reset"
             -- ${MINIVMM} run -m 512M --guest virtio-hostile)
# Exits per KiB moved: virtio-rng's 256 KiB in a few dozen register exits vs the UART's two
# exits per byte (tests/integration/virtio_checks.sh).
add_test(NAME integration.virtio_exits_per_kib
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/virtio_checks.sh ${MINIVMM} exits_per_kib)
set_tests_properties(integration.virtio_exits_per_kib PROPERTIES LABELS integration
                     SKIP_RETURN_CODE 77)
