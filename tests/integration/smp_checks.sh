#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --cpus 2 with --trace and --stats: records of both vCPUs, per-vCPU lines in the stats, and the
# totals the one-vCPU checks grep still in place (tests/integration/smp.cmake).
# usage: smp_checks.sh MINIVMM   (exits 77 = SKIP without a usable /dev/kvm)
set -u
export LC_ALL=C # counts and messages parsed below, whatever the user's locale
exec </dev/null # never the terminal: minivmm would put it in raw mode and read it
minivmm=$1
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
  echo "SKIP: /dev/kvm is missing or not accessible"
  exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; echo "--- stderr:"; head -c 4000 "$dir/err"; exit 1; }

timeout -k 5 60 "$minivmm" run --cpus 2 --trace="$dir/trace.txt" --stats >"$dir/out" 2>"$dir/err"
[ $? = 0 ] || fail "exit status not 0"
records=$(grep -c '^#' "$dir/trace.txt")
ap=$(grep -c '  vcpu 1$' "$dir/trace.txt")
[ "$ap" -gt 0 ] || fail "no trace line of vCPU 1"
[ "$ap" -lt "$records" ] || fail "no trace line of vCPU 0"
grep -q "^Total Samples:$records, " "$dir/err" || fail "stats total differs from $records records"
grep -q "^trace records: $records, dropped: 0" "$dir/err" || fail "record count line wrong"
grep -qE '^vCPU 0: samples [0-9]+ .* inside KVM_RUN' "$dir/err" || fail "no vCPU 0 stats line"
grep -qE "^vCPU 1: samples $ap .* inside KVM_RUN" "$dir/err" || fail "vCPU 1 samples not $ap"
# KVM's own counters of vCPU 1, or where the kernel has no binary stats (before 5.14) the line
# that says so.
grep -qE '^vCPU 1(, KVM.s own counters|: this kernel has no KVM binary stats)' "$dir/err" ||
  fail "no KVM counters of vCPU 1"
echo "ok: $records records, $ap of vCPU 1"
