#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Security and resource checks that need more than one command (tests/integration/security.cmake,
# docs/security.md). usage: security_checks.sh MINIVMM GUEST_DIR CHECK
set -u
export LC_ALL=C # messages and numbers parsed below, whatever the user's locale
exec </dev/null # never the terminal: minivmm would put it in raw mode and read it
minivmm=$1 guests=$2 check=$3
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is missing or not accessible"; exit 77; }
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; for f in "$dir"/*; do [ -f "$f" ] && { echo "--- $f:"; head -c 3000 "$f"; }; done; exit 1; }
# started PID: waits until the loop guest has printed its first line, for up to 60 s: a boot
# takes what the host gives it (load, nested KVM). Fails if PID ends first.
started() {
  local i
  for ((i = 0; i < 600; i++)); do
    grep -q "^loop:" "$dir/out" && return 0
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  fail "the loop guest did not start"
}

case "$check" in
sandbox_on_every_thread)
  # While the guest runs, every thread of minivmm is in seccomp filter mode (Seccomp: 2).
  # (--timeout only guards against a test that dies before its kill: the run must outlast the
  # checks, however slow the host.)
  "$minivmm" run --timeout 120 "$guests/loop.elf" >"$dir/out" 2>"$dir/err" &
  pid=$!; pids+=("$pid")
  started "$pid"
  threads=0
  for t in /proc/"$pid"/task/*; do
    # A helper thread may end between the listing and the read: one that is gone is no risk.
    status=$(cat "$t/status" 2>/dev/null) || continue
    threads=$((threads + 1))
    grep -q "^Seccomp:[[:space:]]*2" <<<"$status" || fail "thread $t is not confined: $(grep Seccomp <<<"$status")"
    grep -q "^NoNewPrivs:[[:space:]]*1" <<<"$status" || fail "thread $t may gain privileges"
  done
  [ "$threads" -ge 3 ] || fail "only $threads threads: expected main, vCPU, console output"
  kvm_fds=$(ls -l /proc/"$pid"/fd | grep "/dev/kvm")
  [ -z "$kvm_fds" ] || fail "a /dev/kvm fd is still open while the guest runs: $kvm_fds" \
    "(threads: $(cat /proc/"$pid"/task/*/comm 2>/dev/null | tr '\n' ' '))"
  kill -TERM "$pid"; wait "$pid"
  echo "ok: $threads threads, all in seccomp filter mode, no new privileges"
  ;;
inherited_fds_closed)
  # Descriptors the parent left open (here fd 7 on a file, fd 8 a pipe) are closed before the
  # filter goes on: a subverted VMM could otherwise still read or write them. A file handed to
  # minivmm by its /dev/fd name (--trace-json /dev/fd/9) is opened anew and still written.
  # Without the sandbox they stay (no confinement at all).
  echo secret >"$dir/secret"
  exec 7<"$dir/secret" 8> >(cat >/dev/null) 9>"$dir/trace.json"
  "$minivmm" run --timeout 120 --trace-json /dev/fd/9 "$guests/loop.elf" >"$dir/out" 2>"$dir/err" &
  pid=$!; pids+=("$pid")
  exec 7<&- 8>&- 9>&-
  for _ in $(seq 300); do grep -q "^loop:" "$dir/out" && break; sleep 0.1; done
  grep -q "^loop:" "$dir/out" || fail "the loop guest did not start"
  ls -l /proc/"$pid"/fd >"$dir/fds" || fail "minivmm ended before its descriptors were seen"
  grep -q "$dir/secret" "$dir/fds" && fail "the inherited fd 7 on $dir/secret is still open"
  grep -qE " 8 -> pipe:" "$dir/fds" && fail "the inherited pipe fd 8 is still open"
  kill -TERM "$pid"; wait "$pid"; status=$?
  [ "$status" = 143 ] || fail "status $status, want 143 (SIGTERM while the guest ran)"
  python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dir/trace.json" \
    || fail "--trace-json /dev/fd/9 was not written"
  exec 7<"$dir/secret"
  "$minivmm" run --no-sandbox --timeout 120 "$guests/loop.elf" >"$dir/out2" 2>"$dir/err2" &
  pid=$!; pids+=("$pid")
  exec 7<&-
  for _ in $(seq 300); do grep -q "^loop:" "$dir/out2" && break; sleep 0.1; done
  grep -q "^loop:" "$dir/out2" || fail "the loop guest did not start (--no-sandbox)"
  ls -l /proc/"$pid"/fd | grep -q "$dir/secret" || fail "--no-sandbox: fd 7 should stay"
  kill -TERM "$pid"; wait "$pid"
  echo "ok: inherited descriptors closed under the sandbox"
  ;;
no_sandbox_is_unconfined)
  "$minivmm" run --no-sandbox --timeout 120 "$guests/loop.elf" >"$dir/out" 2>"$dir/err" &
  pid=$!; pids+=("$pid")
  started "$pid"
  grep -q "^Seccomp:[[:space:]]*0" /proc/"$pid"/status || fail "--no-sandbox still confined"
  kill -TERM "$pid"; wait "$pid"
  echo "ok: --no-sandbox runs unconfined"
  ;;
closed_stdout)
  # The reader of stdout is gone before the guest prints: the guest's status survives, and the
  # lost bytes are reported. (stdout is a pipe whose read end is closed.) The flood takes 5 s
  # alone and 35 s on a loaded 2-core host: --timeout 240 only guards against a hang.
  command -v python3 >/dev/null || { echo "SKIP: python3 needed to close the pipe's read end"; exit 77; }
  python3 - "$minivmm" "$guests/uart-flood.elf" >"$dir/result" 2>"$dir/err" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run([sys.argv[1], "run", "--timeout", "240", sys.argv[2]], stdout=w,
                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=270)
sys.stderr.write(p.stderr.decode(errors="replace"))
print(p.returncode)
PY
  [ "$(cat "$dir/result")" = 0 ] || fail "status $(cat "$dir/result"), want the guest's 0"
  grep -qE "note: [0-9]+ byte\(s\) of guest output lost" "$dir/err" || fail "no note about lost bytes"
  echo "ok: status 0 kept, lost bytes reported"
  ;;
stuck_reader)
  # The reader stays alive but never reads: 200 kB of guest output overfill the pipe (64 KiB)
  # and the output ring (64 KiB).
  # The vCPU must not block: the guest finishes, minivmm exits in bounded time, and says how
  # much was lost. (Before the output ring, the vCPU blocked in write(2) and even --timeout
  # could not stop it.) Bounded: the guest must finish before --timeout 240 (status 0, where
  # the run takes 11 s alone and up to 70 s on a loaded 2-core host), and minivmm must exit
  # before the outer timeout; a vCPU that waited on the reader would need 200,000 x 200 ms.
  mkfifo "$dir/fifo"
  sleep 290 <"$dir/fifo" &
  pids+=("$!")
  start=$(date +%s)
  timeout -k 5 270 "$minivmm" run --timeout 240 --cmdline "bytes=200000" "$guests/uart-flood.elf" \
    >"$dir/fifo" 2>"$dir/err"
  status=$? elapsed=$(($(date +%s) - start))
  [ "$status" = 0 ] || fail "status $status after $elapsed s, want 0 (the guest finished its flood)"
  grep -qE "note: [0-9]+ byte\(s\) of guest output lost" "$dir/err" || fail "no note about lost bytes"
  echo "ok: status 0 after $elapsed s with a stuck reader, loss reported"
  ;;
sigterm_prints_stats)
  "$minivmm" run --stats "$guests/loop.elf" >"$dir/out" 2>"$dir/err" &
  pid=$!; pids+=("$pid")
  started "$pid"
  kill -TERM "$pid"
  wait "$pid"; status=$?
  [ "$status" = 143 ] || fail "status $status, want 143 (128 + SIGTERM)"
  grep -q "stopped by signal 15" "$dir/err" || fail "no 'stopped by signal 15'"
  grep -qiE "exit|events|samples" "$dir/err" || fail "no --stats summary on stderr"
  grep -q "sandbox" "$dir/err" && fail "the sandbox stopped the end of the run"
  echo "ok: SIGTERM -> 143 with the stats"
  ;;
sigint_prints_stats)
  "$minivmm" run --stats "$guests/loop.elf" >"$dir/out" 2>"$dir/err" &
  pid=$!; pids+=("$pid")
  started "$pid"
  kill -INT "$pid"
  wait "$pid"; status=$?
  [ "$status" = 130 ] || fail "status $status, want 130 (128 + SIGINT)"
  grep -q "stopped by signal 2" "$dir/err" || fail "no 'stopped by signal 2'"
  echo "ok: SIGINT -> 130"
  ;;
ram_over_address_limit)
  # -m 256M under a 128 MiB address-space limit: one clear line and status 71, not a crash.
  # (Small on purpose: minivmm checks -m against the host's memory first, so a larger -m would
  # get the other message on a host with less memory and swap than -m.)
  (ulimit -v 131072; exec "$minivmm" run -m 256M) >"$dir/out" 2>"$dir/err"
  status=$?
  [ "$status" = 71 ] || fail "status $status, want 71"
  [ "$(wc -l <"$dir/err")" = 1 ] || fail "want exactly one line on stderr"
  grep -q "ulimit -v" "$dir/err" || fail "the message does not name the limit"
  echo "ok: $(cat "$dir/err")"
  ;;
largest_memory)
  # -m 3G, the largest documented size, boots where the host has 3 GiB of memory and swap; on a
  # smaller host minivmm refuses it at once with status 71 and says why (README: exit statuses).
  host_kib=$(awk '/^(MemTotal|SwapTotal):/ { kib += $2 } END { print kib }' /proc/meminfo)
  timeout -k 5 60 "$minivmm" run -m 3G >"$dir/out" 2>"$dir/err"
  status=$?
  if [ "$host_kib" -ge $((3 << 20)) ]; then
    [ "$status" = 0 ] || fail "status $status, want 0 (host: $((host_kib >> 10)) MiB)"
    grep -q "^ram: 3072 MiB" "$dir/out" || fail "no 'ram: 3072 MiB' line"
    echo "ok: -m 3G boots (host: $((host_kib >> 10)) MiB of memory and swap)"
  else
    [ "$status" = 71 ] || fail "status $status, want 71 (host: $((host_kib >> 10)) MiB)"
    grep -q "more than this host's" "$dir/err" || fail "the refusal does not say why"
    echo "ok: -m 3G refused on a host with $((host_kib >> 10)) MiB of memory and swap"
  fi
  ;;
minivmm_lacks_test_device)
  # The escape device lives only in minivmm-test: minivmm has neither its name nor its port.
  grep -q "test-escape" "$minivmm" && fail "minivmm contains the test-escape device"
  printf '\xb0\x01\x66\xba\xf0\x05\xee\x31\xc0\x66\xba\x01\x05\xef' >"$dir/escape.bin"
  "$minivmm" run --strict-io --flat "$dir/escape.bin" >"$dir/out" 2>"$dir/err"
  status=$?
  [ "$status" = 85 ] || fail "status $status, want 85 (port 0x5f0 unclaimed in minivmm)"
  echo "ok: no test device in minivmm"
  ;;
*)
  echo "unknown check $check" >&2; exit 2 ;;
esac
