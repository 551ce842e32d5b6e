#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration checks of virtio-mmio against real KVM, measured in the exit trace.
# usage: virtio_checks.sh MINIVMM CASE
set -u
export LC_ALL=C # counts and messages parsed below, whatever the user's locale
exec </dev/null # never the terminal: minivmm would put it in raw mode and read it
minivmm=$1 case=$2
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

case "$case" in
exits_per_kib)
  # 256 KiB through virtio-rng: every exit to minivmm is a register access of the set-up; the
  # doorbell (QueueNotify, 0x50) is absorbed by the ioeventfd. The UART, for comparison, takes
  # one THR write exit per byte printed (plus an LSR read per 16 bytes: guest/kernel/serial.c)
  # when its writes are not batched.
  "$minivmm" run --no-write-batching --guest virtio-rng --cmdline bytes=262144 --trace="$dir/trace.txt" \
    >"$dir/out" 2>"$dir/err" || fail "status $? ($(cat "$dir/err"))"
  grep -q '^virtio-rng: read 262144 bytes' "$dir/out" || fail "guest did not read 256 KiB"
  mmio=$(grep -c ' MMIO .* virtio-rng ' "$dir/trace.txt")
  notify=$(grep -c ' MMIO  write 0xd0400050 ' "$dir/trace.txt")
  uart=$(grep -c ' IO    out 0x3f8 ' "$dir/trace.txt")
  uart_all=$(grep -c ' IO .* uart8250 ' "$dir/trace.txt")
  bytes=$(wc -c <"$dir/out")
  [ "$mmio" -gt 0 ] || fail "no virtio-rng exits in the trace"
  # 256 KiB with at most 64 exits: under 0.25 exits per KiB (the UART needs ~2048).
  [ "$mmio" -le 64 ] || fail "$mmio virtio-rng exits for 256 KiB (want <= 64)"
  [ "$uart" = "$bytes" ] || fail "$uart UART write exits for $bytes bytes printed"
  awk -v m="$mmio" -v u="$uart_all" -v b="$bytes" -v n="$notify" 'BEGIN {
    printf "ok: virtio-rng %d exits / 256 KiB = %.3f per KiB (QueueNotify exits: %d); ", m, m / 256, n
    printf "UART %d exits / %d bytes = %.0f per KiB\n", u, b, u * 1024 / b }'
  ;;
*)
  fail "unknown case $case"
  ;;
esac
