#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PC platform checks that need more than one command (tests/integration/pc_platform.cmake).
#
# usage: pc_platform_checks.sh s3-console-wake MINIVMM GUEST_ELF
#            the guest (pc_s3_guest.S built with -DCONSOLE_WAKE) sleeps in S3 with RTC_EN clear;
#            once minivmm says it is suspended, one key on its stdin wakes it at the waking
#            vector, and it powers off (status 0). Nothing is typed before the sleep: a key
#            typed while the guest runs is only input.
#        pc_platform_checks.sh qemu-same-output MINIVMM GUEST_ELF CPUS
#            the reference platform: QEMU -M pc (SeaBIOS puts the PIIX4 PM block at 0x600 too,
#            its DSDT's \_S5 is 0, its host bridge is 8086:1237) boots the same file with
#            -kernel and the same number of CPUs, prints the same lines after SeaBIOS's banner
#            and powers off through S5 (status 0); SKIP without QEMU or where it cannot use KVM
set -u
export LC_ALL=C
exec </dev/null
what=$1
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$tmp/err" 2>/dev/null; exit 1; }

case "$what" in
s3-console-wake)
  minivmm=$2 guest=$3
  mkfifo "$tmp/in"
  timeout 120 "$minivmm" run --timeout 90 "$guest" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  exec 3>"$tmp/in" # the write end stays open: no end of input before the key
  for _ in $(seq 600); do
    grep -q "suspended to RAM" "$tmp/err" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "suspended to RAM" "$tmp/err" || fail "the guest never slept"
  grep -q "or its RTC alarm" "$tmp/err" && fail "RTC_EN is clear, yet the alarm is said to wake it"
  printf 'x' >&3
  wait "$pid"
  status=$?
  pid=
  exec 3>&-
  [ "$status" -eq 0 ] || fail "status $status, expected 0 (powered off after the wake)"
  grep -q "^woke from S3" "$tmp/out" || fail "the wake code did not run"
  grep -q "guest woke from S3 (console input)" "$tmp/err" || fail "not woken by the console"
  echo "ok: a key on the console woke the guest from S3 at its waking vector"
  ;;
qemu-same-output)
  minivmm=$2 guest=$3 cpus=$4
  qemu=$(command -v qemu-system-x86_64) || {
    echo "SKIP: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"; exit 77; }
  timeout 60 "$minivmm" run --cpus "$cpus" "$guest" >"$tmp/minivmm" 2>"$tmp/err" ||
    fail "minivmm: status $?"
  # A failed check writes to 0x501: isa-debug-exit there makes QEMU's status (v << 1) | 1.
  timeout 60 "$qemu" -accel kvm -M pc -cpu qemu64 -smp "$cpus" -m 64M -nodefaults -nographic \
    -serial stdio -monitor none -no-reboot -device isa-debug-exit,iobase=0x501,iosize=4 \
    -kernel "$guest" >"$tmp/qemu" 2>"$tmp/qemu.err"
  status=$?
  if ! [ -s "$tmp/qemu" ] && grep -qi kvm "$tmp/qemu.err"; then
    echo "SKIP: QEMU cannot use KVM here: $(head -1 "$tmp/qemu.err")"; exit 77
  fi
  [ "$status" = 0 ] || { cat "$tmp/qemu" "$tmp/qemu.err"; fail "QEMU: status $status, want 0 (S5)"; }
  # The guest's lines start right after SeaBIOS's "Booting from ROM..".
  tr -d '\r' <"$tmp/qemu" | sed -n 's/.*Booting from ROM\.\.//; /pc platform\|ap 1\|pm timer\|pci \|entering/p' \
    >"$tmp/qemu.guest"
  [ -s "$tmp/qemu.guest" ] || { cat "$tmp/qemu"; fail "no guest output under QEMU"; }
  diff -u "$tmp/minivmm" "$tmp/qemu.guest" || fail "QEMU and minivmm outputs differ"
  echo "ok: QEMU -M pc and minivmm print the same and power off through S5"
  ;;
*)
  echo "unknown check '$what'"
  exit 2
  ;;
esac
