#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration checks of exit tracing against real KVM: what the trace, the stats, the JSON and
# the SVG say must agree with what the guest visibly did.
# usage: trace_checks.sh MINIVMM CASE
set -u
export LC_ALL=C # counts and messages parsed below, whatever the user's locale
exec </dev/null # never the terminal: minivmm would put it in raw mode and read it
minivmm=$1 case=$2
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A flat ring-0 guest: N x "out 0x80, al" (a port nobody claims), then exit 0.
# mov ecx, N; mov dx, 0x80; 1: out dx, al; dec ecx; jnz 1b; xor eax, eax; mov dx, 0x501; out
million_outs() {
  printf '\xb9\x40\x42\x0f\x00\x66\xba\x80\x00\xee\xff\xc9\x75\xfb\x31\xc0\x66\xba\x01\x05\xef' >"$1"
}

# A KVM without coalesced port writes batches nothing: the batching cases skip, visibly.
no_pio_batching() {
  "$minivmm" info 2>/dev/null | grep -q 'KVM_CAP_COALESCED_PIO *yes' && return 0
  echo "SKIP: this KVM has no KVM_CAP_COALESCED_PIO: every serial byte exits"
  exit 77
}

# The shell guest with stdin a FIFO held open and silent (--timeout 60), waited for until its
# prompt is on stdout or 20 s passed; $pid is minivmm's. stop_silent_shell ends it.
start_silent_shell() {
  mkfifo "$dir/in"
  "$minivmm" run --guest shell --timeout 60 <"$dir/in" >"$dir/out" 2>"$dir/err" &
  pid=$!
  exec 3>"$dir/in"
  for _ in $(seq 200); do
    grep -q 'minivmm> $' "$dir/out" && break
    sleep 0.1
  done
}

stop_silent_shell() {
  kill -TERM $pid 2>/dev/null
  exec 3>&-
  wait $pid
}

case "$case" in
uart_exits_match_stdout_bytes)
  # With --no-write-batching, one UART write exit per byte the guest printed: count both.
  "$minivmm" run --no-write-batching --trace="$dir/trace.txt" >"$dir/out" 2>"$dir/err" ||
    fail "status $?"
  bytes=$(wc -c <"$dir/out")
  writes=$(grep -c ' IO    out 0x3f8 1B ' "$dir/trace.txt")
  [ "$bytes" -gt 100 ] || fail "guest printed only $bytes bytes"
  [ "$writes" = "$bytes" ] || fail "$writes UART write exits for $bytes bytes on stdout"
  echo "ok: $writes UART write exits = $bytes bytes printed"
  ;;
batched_uart_writes_lose_nothing)
  # By default KVM batches THR writes in its coalesced ring (vmm/machine/write_batch.h): stdout
  # is the same as with an exit per byte, and each byte is a THR exit or a batched write.
  no_pio_batching
  "$minivmm" run --no-write-batching >"$dir/unbatched" 2>"$dir/err" || fail "unbatched: status $?"
  "$minivmm" run --stats --trace="$dir/t.txt" >"$dir/out" 2>"$dir/err" || fail "status $?"
  cmp -s "$dir/unbatched" "$dir/out" || fail "batched stdout differs from an exit per byte"
  bytes=$(wc -c <"$dir/out")
  exits=$(grep -c ' IO    out 0x3f8 1B ' "$dir/t.txt")
  batched=$(sed -n 's/^\([0-9]*\) guest write(s) were batched in KVM.*/\1/p' "$dir/err")
  [ -n "$batched" ] || fail "--stats names no batched writes: $(tail -3 "$dir/err")"
  [ $((batched + exits)) = "$bytes" ] || fail "$batched batched + $exits exits != $bytes bytes"
  [ $((exits * 4)) -lt "$bytes" ] || fail "only $batched of $bytes bytes batched"
  echo "ok: $bytes bytes = $batched batched + $exits THR exits, as unbatched"
  ;;
batched_output_drained_while_guest_waits)
  # The shell prints its prompt, then halts for input: no exit follows, so only the main
  # thread's timed drain can hand the prompt's bytes on. They must arrive while the VM waits,
  # not when it ends (--timeout 60, stdin held open and silent).
  no_pio_batching
  start_silent_shell
  seen=$(tail -c 9 "$dir/out")
  stop_silent_shell
  [ "$seen" = 'minivmm> ' ] || fail "no prompt on stdout while the guest waited: ends '$seen'"
  echo "ok: the prompt reached stdout with the guest halted"
  ;;
batched_idle_vm_drains_slowly)
  # A VM at its prompt with nothing to print: after a quiet second the main thread drains every
  # 50 ms, not every 10 ms (vmm/machine/write_batch.h). Its wakeups over 2 s, counted by the
  # kernel, stay well under the ~200 of the fast pace; a busy host only makes them fewer.
  no_pio_batching
  start_silent_shell
  sleep 1.5
  wakeups() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/task/$pid/status"; }
  before=$(wakeups)
  sleep 2
  after=$(wakeups)
  stop_silent_shell
  [ -n "$before" ] && [ -n "$after" ] || fail "no main-thread counts for pid $pid"
  n=$((after - before))
  [ "$n" -lt 100 ] || fail "$n main-thread wakeups in 2 s at the prompt (the fast pace makes ~200)"
  echo "ok: $n main-thread wakeups in 2 s of quiet"
  ;;
uart_fifo_used_and_never_overfilled)
  # The guest's driver (guest/kernel/serial.c) turns the FIFOs on before its first byte, then
  # writes at most 16 bytes to THR per LSR read that showed THRE (PC16550D: THRE in FIFO mode
  # means the transmitter FIFO is empty), with the piped shell's input too. A byte-per-poll
  # driver fails the last check, one that overfills the FIFO the middle one.
  printf 'help\nexit 0\n' >"$dir/in"
  for guest in hello shell; do
    "$minivmm" run --no-write-batching --trace="$dir/t.txt" --guest $guest <"$dir/in" >"$dir/out" 2>"$dir/err" ||
      fail "$guest: status $?"
    awk -v guest=$guest '
      function value(hex,   v, i) { # "0x.." to a number (POSIX awk has no strtonum)
        v = 0
        for (i = 3; i <= length(hex); i++) v = v * 16 + index("0123456789abcdef", substr(hex, i, 1)) - 1
        return v
      }
      / uart8250 / && $5 == "out" && $6 == "0x3fa" { fifo = value($8) % 2 }
      / uart8250 / && $5 == "in" && $6 == "0x3fd" {
        reads++
        room = int(value($8) / 32) % 2 ? 16 : 0
      }
      / uart8250 / && $5 == "out" && $6 == "0x3f8" {
        writes++
        if (!fifo) { print "FAIL: " guest ": THR write " writes " with the FIFOs off"; exit 1 }
        if (room-- <= 0) { print "FAIL: " guest ": THR write " writes " past the 16 THRE allows"; exit 1 }
      }
      END {
        if (writes < 100 || reads * 4 > writes) {
          print "FAIL: " guest ": " reads " LSR reads for " writes " THR writes"; exit 1
        }
        print "ok: " guest ": " writes " THR writes, " reads " LSR reads, none past the FIFO"
      }' "$dir/t.txt" || exit 1
  done
  ;;
filter_keeps_only_named_port)
  "$minivmm" run --no-write-batching --trace="$dir/all.txt" >/dev/null 2>&1 || fail "status $?"
  "$minivmm" run --trace="$dir/f.txt" --trace-filter io,port=0x501 >/dev/null 2>&1 || fail "status $?"
  [ "$(wc -l <"$dir/f.txt")" = 1 ] || fail "filter kept $(wc -l <"$dir/f.txt") lines, want 1"
  grep -q 'out 0x501 1B 0x00 .*exit-port' "$dir/f.txt" || fail "exit port record missing"
  [ "$(wc -l <"$dir/all.txt")" -gt 100 ] || fail "unfiltered trace too short"
  echo "ok: filter kept the one exit-port record of $(wc -l <"$dir/all.txt")"
  ;;
stats_totals_equal_records)
  "$minivmm" run --no-write-batching --stats --trace="$dir/trace.txt" >/dev/null 2>"$dir/err" ||
    fail "status $?"
  records=$(wc -l <"$dir/trace.txt")
  grep -q "^Total Samples:$records, " "$dir/err" || fail "stats total differs from $records records"
  grep -q "^trace records: $records, dropped: 0" "$dir/err" || fail "record count line wrong"
  grep -q 'uart8250 out 0x3f8' "$dir/err" || fail "no per-device line"
  grep -q 'vCPU time: .* inside KVM_RUN' "$dir/err" || fail "no wall-time split"
  echo "ok: stats total = $records records"
  ;;
in_kernel_counts_add_up)
  # Sampled or read after every exit, the per-record in-kernel counts must add up to the stats
  # line, and with the records to KVM's own "exits" counter over the run: nothing lost.
  for mode in sampled every; do
    "$minivmm" run --stats --in-kernel-exits=$mode --trace="$dir/t.txt" >/dev/null 2>"$dir/err" ||
      fail "$mode: status $?"
    # Kernels before 5.14 have no binary stats: minivmm says so, and there is nothing to add up.
    if grep -q "this kernel has no KVM binary stats" "$dir/err"; then
      echo "SKIP: $(grep -m1 "this kernel has no KVM binary stats" "$dir/err")"
      exit 77
    fi
    per_record=$(grep -o '(+[0-9]* in-kernel' "$dir/t.txt" | tr -dc '0-9\n' | awk '{s += $1} END {print s + 0}')
    total=$(sed -n 's/^exits KVM handled in the kernel between them: //p' "$dir/err")
    records=$(sed -n 's/^trace records: \([0-9]*\),.*/\1/p' "$dir/err")
    kvm_exits=$(grep -o ' exits=[0-9]*' "$dir/err" | head -1 | tr -dc '0-9')
    [ -n "$total" ] && [ -n "$records" ] || fail "$mode: no in-kernel total or record count"
    [ "$per_record" = "$total" ] || fail "$mode: records say $per_record in-kernel, stats $total"
    if [ -n "$kvm_exits" ]; then
      [ $((records + total)) = "$kvm_exits" ] ||
        fail "$mode: $records records + $total in-kernel != KVM's exits=$kvm_exits"
    fi
    echo "ok: $mode: $per_record in-kernel exits, $records records, KVM exits=${kvm_exits:-n/a}"
  done
  ;;
million_exits_nothing_dropped)
  million_outs "$dir/g.bin"
  "$minivmm" run --flat --stats "$dir/g.bin" >/dev/null 2>"$dir/err" || fail "status $?"
  grep -q '^ *IO   1000001 ' "$dir/err" || { cat "$dir/err"; fail "IO samples are not 1000001"; }
  grep -q '^ *unclaimed out 0x80   1000000 ' "$dir/err" || fail "port 0x80 samples are not 1000000"
  grep -q '^trace records: 1000001, dropped: 0' "$dir/err" || fail "records lost"
  echo "ok: 1000001 exits recorded, none dropped"
  ;;
json_has_every_record)
  command -v python3 >/dev/null || { echo "SKIP: python3 needed to parse JSON"; exit 77; }
  "$minivmm" run --trace="$dir/trace.txt" --trace-json "$dir/t.json" >/dev/null 2>&1 || fail "status $?"
  records=$(wc -l <"$dir/trace.txt")
  python3 - "$dir/t.json" "$records" <<'PY' || fail "JSON check failed"
import json, sys
doc = json.load(open(sys.argv[1]))
events = doc["traceEvents"]
slices = [e for e in events if e.get("ph") == "X"]
records = int(sys.argv[2])
assert len(slices) == 2 * records, (len(slices), records)
seqs = sorted(e["args"]["seq"] for e in slices if "seq" in e.get("args", {}))
assert seqs == list(range(records)), "host slices do not carry every seq once"
assert any(e.get("args", {}).get("device") == "uart8250" for e in slices)
print("json ok:", len(slices), "slices for", records, "records")
PY
  ;;
timeline_svg_well_formed)
  command -v xmllint >/dev/null || { echo "SKIP: xmllint (libxml2-utils) needed"; exit 77; }
  "$minivmm" run --no-write-batching --timeline "$dir/t.svg" --timeline-exits 40 >/dev/null 2>&1 ||
    fail "status $?"
  xmllint --noout "$dir/t.svg" || fail "SVG is not well-formed XML"
  arrows=$(grep -o 'class="exit-arrow"' "$dir/t.svg" | wc -l)
  [ "$arrows" = 40 ] || fail "$arrows exit arrows, want 40"
  echo "ok: well-formed SVG with 40 exit arrows"
  ;;
bad_trace_file)
  "$minivmm" run --trace=/nonexistent/dir/t.txt >/dev/null 2>"$dir/err"
  status=$?
  [ "$status" = 64 ] || fail "status $status, want 64"
  grep -q "cannot write trace file '/nonexistent/dir/t.txt'" "$dir/err" || fail "message: $(cat "$dir/err")"
  echo "ok: unwritable trace file refused"
  ;;
*) echo "unknown case $case"; exit 2 ;;
esac
