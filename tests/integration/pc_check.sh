#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the PC platform test kernel (tests/kernels/pc_check) and checks what it printed: every
# check in EXPECTED must say "ok" (no FAIL, no skip, nothing missing), the summary must count no
# failure, and the run must end by the kernel's S5 power-off with status 0. minivmm and QEMU are
# held to the same list, so minivmm passes exactly the checks the reference PC passes.
#
# usage: pc_check.sh minivmm KERNEL CPUS MINIVMM
#            minivmm run --strict-io --cpus CPUS KERNEL; minivmm must also say "guest powered off"
#        pc_check.sh qemu KERNEL CPUS
#            qemu-system-x86_64 -accel kvm -M pc -cpu qemu64 -smp CPUS,sockets=CPUS -kernel
#            KERNEL; SKIP without QEMU or where QEMU cannot use KVM. sockets=CPUS: SeaBIOS lists
#            only the first logical CPU of each package in its MP table, and QEMU's default
#            topology makes the CPUs cores of one package.
# The kernel's command line is "expect_argv0=KERNEL cpus=CPUS": the boot loader puts the
# kernel's file name (as given) in front, and the kernel checks it is there.
set -u
export LC_ALL=C
exec </dev/null # never the terminal: minivmm and QEMU's -serial stdio would take it over
where=$1 kernel=$2 cpus=$3
EXPECTED="multiboot_info argv0 memory_map acpi_rsdp acpi_root acpi_madt acpi_fadt acpi_sci acpi_facs
  acpi_dsdt acpi_s5 acpi_s3 mp_table pci_bus0 pci_bar_sizing pm_timer_monotonic pm_timer_vs_rtc pm_timer_vs_tsc
  pm_timer_vs_pit smp_ap_startup acpi_mode s3_resume s3_wake_status s3_kernel_image_kept"
HANG_GUARD=120 # seconds; a run takes 5-25 s (S3 sleeps 3 s; SeaBIOS boots in several)

[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
args="expect_argv0=$kernel cpus=$cpus"

case "$where" in
minivmm)
  minivmm=$4
  # --strict-io: every port the kernel touches is one minivmm serves (QEMU's PC serves them all).
  "$minivmm" run --strict-io --cpus "$cpus" -m 128M --timeout "$HANG_GUARD" --cmdline "$args" \
    "$kernel" >"$tmp/out" 2>"$tmp/err"
  status=$?
  ;;
qemu)
  qemu=$(command -v qemu-system-x86_64) || {
    echo "SKIP: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"; exit 77; }
  # isa-debug-exit: the kernel's way out when S5 does not power off (status 3), as under minivmm.
  timeout -k 5 "$HANG_GUARD" "$qemu" -accel kvm -M pc -cpu qemu64 -smp "$cpus,sockets=$cpus" \
    -m 128 -kernel "$kernel" -append "$args" -serial stdio -display none -monitor none \
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 >"$tmp/out" 2>"$tmp/err"
  status=$?
  # A QEMU that stops before the kernel printed anything, blaming KVM, tells about this host.
  if ! [ -s "$tmp/out" ] && grep -qi kvm "$tmp/err"; then
    echo "SKIP: QEMU cannot use KVM here: $(head -1 "$tmp/err")"; exit 77
  fi
  ;;
*) echo "usage: $0 minivmm|qemu KERNEL CPUS [MINIVMM]"; exit 2 ;;
esac

tr -d '\r' <"$tmp/out" >"$tmp/lines"
cat "$tmp/lines"
bad=0
for name in $EXPECTED; do
  grep -q "^ok $name " "$tmp/lines" || { echo "FAIL: $where: check $name did not say ok"; bad=1; }
done
grep -E '^(FAIL|skip) ' "$tmp/lines" | sed "s/^/FAIL: $where: /" | grep . && bad=1
grep -q '^summary: [0-9]* ok, 0 FAIL, 0 skip$' "$tmp/lines" || { echo "FAIL: $where: no clean summary"; bad=1; }
tail -1 "$tmp/lines" | grep -q '^pc_check: powering off through S5' ||
  { echo "FAIL: $where: the last line is not the S5 power-off"; bad=1; }
# minivmm says why the run ended (the issue's wording); QEMU says nothing on a power-off.
if [ "$where" = minivmm ] && ! grep -q "guest powered off" "$tmp/err"; then
  echo "FAIL: minivmm: stderr does not say \"guest powered off\""
  bad=1
fi
if [ "$status" != 0 ]; then
  echo "FAIL: $where: status $status, want 0 (the kernel's S5 power-off); stderr:"
  cat "$tmp/err"
  bad=1
fi
[ "$bad" = 0 ] || exit 1
echo "ok: pc_check under $where with $cpus cpus: every check ok, powered off through S5"
