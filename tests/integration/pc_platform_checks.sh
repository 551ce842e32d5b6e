#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PC platform checks that need more than one command (tests/integration/pc_platform.cmake).
#
# usage: pc_platform_checks.sh s3-console-wake MINIVMM GUEST_ELF
#            the guest (pc_s3_guest.S built with -DCONSOLE_WAKE) sleeps in S3 with RTC_EN clear;
#            once minivmm says it is suspended, one key on its stdin wakes it at the waking
#            vector, and it powers off (status 0). Nothing is typed before the sleep: a key
#            typed while the guest runs is only input.
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
*)
  echo "unknown check '$what'"
  exit 2
  ;;
esac
