#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The teardown helper (vmm/host/teardown_handoff.c, docs/performance.md): while a VM runs,
# minivmm has a child named minivmm-release that holds exactly two descriptors, the VM
# (anon_inode:kvm-vm, sent to it over its socket) and that socket, and none of minivmm's
# standard streams; once minivmm has exited, the helper ends by itself.
# usage: teardown_checks.sh MINIVMM
set -u
exec </dev/null
export LC_ALL=C
minivmm=$1
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "skip: /dev/kvm is not usable here"; exit 77; }
out=$(mktemp)
"$minivmm" run --guest loop --timeout 600 >"$out" 2>&1 &
pid=$!
cleanup() { kill -9 "$pid" 2>/dev/null; rm -f "$out"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }

# The helper is forked first and gets the VM fd once the VM exists; the guest's first byte
# comes after that.
helper=
for _ in $(seq 1 600); do
  helper=$(pgrep -P "$pid" -x minivmm-release) && [ -s "$out" ] && break
  kill -0 "$pid" 2>/dev/null || fail "minivmm ended early"
  sleep 0.1
done
[ -n "$helper" ] || fail "no minivmm-release child of minivmm $pid within 60 s"
fds=$(for f in /proc/"$helper"/fd/*; do readlink "$f"; done | sed 's/\[[0-9]*\]//' | sort)
want=$(printf 'anon_inode:kvm-vm\nsocket:\n')
[ "$fds" = "$want" ] || fail "the helper holds $(echo $fds), want the VM and its socket only"
echo "ok: helper $helper holds only: $(echo $fds)"

kill -TERM "$pid"
wait "$pid"
status=$?
[ "$status" = 143 ] || fail "minivmm ended with $status after SIGTERM, want 143"
for _ in $(seq 1 600); do
  kill -0 "$helper" 2>/dev/null || { echo "ok: the helper ended after minivmm"; exit 0; }
  sleep 0.1
done
fail "the helper $helper still runs 60 s after minivmm ended"
