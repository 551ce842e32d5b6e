#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Multiboot v1 checks that need more than one command (tests/integration/multiboot.cmake).
#
# usage: multiboot_checks.sh same-output MINIVMM GUEST_ELF
#            the guest booted through multiboot prints exactly what the direct 64-bit boot prints
#        multiboot_checks.sh qemu-same-output MINIVMM GUEST_ELF
#            QEMU's -kernel (-M microvm) boots the very same file and prints the same lines (the
#            "cpu:" line aside: QEMU's named CPU model has its own brand); SKIP without QEMU, with
#            a QEMU that has no microvm machine, or one that cannot use KVM on this host
#        multiboot_checks.sh modules-on-reboot MINIVMM MODULE_FILE
#            --reboot with modules: each boot reads them again (under the sandbox)
#        multiboot_checks.sh bench-json TOOLS_BENCH BUILD_DIR
#            tools/bench --quick --no-qemu runs and writes well-formed JSON with the documented
#            keys (the QEMU comparisons are the benchmark's business: installing QEMU must not
#            change what this test runs)
set -u
export LC_ALL=C
exec </dev/null # never the terminal: minivmm (and QEMU's -serial stdio) would take it over
what=$1
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

case "$what" in
same-output)
  minivmm=$2 guest=$3
  timeout 60 "$minivmm" run --boot direct64 -m 128M --cmdline "console=ttyS0 a=b" "$guest" \
    >"$tmp/direct" 2>&1 || fail "direct boot: status $?"
  timeout 60 "$minivmm" run --boot multiboot -m 128M --cmdline "console=ttyS0 a=b" "$guest" \
    >"$tmp/multiboot" 2>&1 || fail "multiboot boot: status $?"
  grep -q 'cmdline: "console=ttyS0 a=b"' "$tmp/multiboot" || fail "no cmdline line"
  diff -u "$tmp/direct" "$tmp/multiboot" || fail "outputs differ"
  echo "ok: multiboot and direct 64-bit boots print the same"
  ;;
qemu-same-output)
  minivmm=$2 guest=$3
  qemu=$(command -v qemu-system-x86_64) || {
    echo "SKIP: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"; exit 77; }
  "$qemu" -machine help 2>/dev/null | grep -q '^microvm ' || {
    echo "SKIP: $qemu has no microvm machine (QEMU 5.0 or later has)"; exit 77; }
  timeout 60 "$minivmm" run --boot multiboot -m 128M --cmdline "console=ttyS0 a=b" "$guest" \
    >"$tmp/minivmm" 2>&1 || fail "minivmm: status $?"
  # isa-debug-exit: the kernel's exit(0) gives QEMU's status (0 << 1) | 1 = 1.
  timeout 60 "$qemu" -accel kvm -M microvm,x-option-roms=off,rtc=off -cpu qemu64 -m 128M \
    -kernel "$guest" -append "console=ttyS0 a=b" -nographic -serial stdio -monitor none \
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 >"$tmp/qemu" 2>"$tmp/qemu.err"
  status=$?
  # A QEMU that stops before the guest printed anything, blaming KVM, tells about this host,
  # not about the guest file. (Its status is no clue: QEMU's own errors exit 1 too.)
  if ! [ -s "$tmp/qemu" ] && grep -qi kvm "$tmp/qemu.err"; then
    echo "SKIP: QEMU cannot use KVM here: $(head -1 "$tmp/qemu.err")"; exit 77
  fi
  [ "$status" = 1 ] && [ -s "$tmp/qemu" ] ||
    { cat "$tmp/qemu.err"; fail "QEMU: status $status, $(wc -c <"$tmp/qemu") bytes of output; want the guest's output, then status 1 (its exit 0)"; }
  diff -u <(tr -d '\r' <"$tmp/minivmm" | grep -v '^cpu:') <(tr -d '\r' <"$tmp/qemu" | grep -v '^cpu:') \
    || fail "QEMU and minivmm outputs differ"
  echo "ok: QEMU -kernel and minivmm --boot multiboot print the same"
  ;;
modules-on-reboot)
  # Modules are read from their files straight into guest RAM, and read again by --reboot's
  # reload, under the sandbox (fstat + pread): the second boot must come up, not status 88.
  minivmm=$2 module=$3
  # "exit 5" only once the rebooted shell prompts: typed earlier, the reset loses it (a loaded
  # host can take many seconds to boot again).
  (printf 'reboot\n'
   for _ in $(seq 240); do
     sleep 0.25
     [ "$(grep -o 'minivmm> ' "$tmp/out" 2>/dev/null | wc -l)" -ge 2 ] && break
   done
   printf 'exit 5\n') |
    timeout 60 "$minivmm" run --boot multiboot --guest shell --reboot \
      --module "$module",first --module "$module" >"$tmp/out" 2>"$tmp/err"
  status=$?
  [ "$status" = 5 ] || { cat "$tmp/err"; fail "status $status, want 5"; }
  [ "$(grep -c "kernel up" "$tmp/out")" = 2 ] || { cat "$tmp/out"; fail "want 2 boots"; }
  echo "ok: modules read again at the reboot, under the sandbox"
  ;;
bench-json)
  bench=$2 build=$3
  command -v python3 >/dev/null || { echo "SKIP: python3 needed for tools/bench"; exit 77; }
  "$bench" --quick --no-qemu --build "$build" --json "$tmp/bench.json" >"$tmp/out" 2>&1 || {
    cat "$tmp/out"; fail "tools/bench failed"; }
  python3 - "$tmp/bench.json" <<'PY' || fail "bench JSON malformed or incomplete"
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("pio_userspace", "mmio_userspace", "pio_ioeventfd"):
    assert r[k]["ns"] > 0 and r[k]["ratio_to_floor"] > 0, k
    assert ("ratio_to_qemu" in r[k]) == bool(r["qemu"]), k
assert r["boot_first_byte"]["ms"] > 0 and r["boot_to_exit"]["ms"] > 0
assert r["vms_per_second"] > 0 and r["vmm_rss_kib"] > 0
assert r["vms_per_second_floor"] > 0 and r["vms_per_second_ratio_to_floor"] > 0
assert "trace_overhead_pct" in r
PY
  echo "ok: tools/bench --quick --no-qemu wrote well-formed JSON"
  ;;
*) echo "usage: $0 same-output|qemu-same-output|modules-on-reboot|bench-json ..."; exit 2 ;;
esac
