#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Who ended the run (issue 13, item 1): a guest cannot end a run with one of minivmm's own
# statuses through minivmm's exit port; QEMU's port keeps its arithmetic and is told apart by
# stderr and --result; minivmm always gives its reason on stderr when it ends a run itself; and
# --result FILE says who ended the run, why, with what status and what the guest wrote.
# usage: exit_status_checks.sh MINIVMM MINIVMM_TEST GUEST_DIR CHECK
set -u
minivmm=$1 minivmm_test=$2 guests=$3 check=$4
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is missing or not accessible"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; for f in "$dir"/*; do [ -f "$f" ] && { echo "--- $f:"; head -c 2000 "$f"; }; done; exit 1; }

# A flat 64-bit guest: mov eax, V; mov dx, PORT; out dx, eax
exit_guest() { # PATH VALUE PORT
  python3 - "$@" <<'PY'
import struct, sys
path, value, port = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
open(path, "wb").write(b"\xb8" + struct.pack("<I", value) + b"\x66\xba" + struct.pack("<H", port) + b"\xef")
PY
}

# The --result file against expectations: ENDED_BY STATUS GUEST_VALUE|null REASON_ERE
check_result() {
  python3 - "$dir/result.json" "$@" <<'PY' || fail "--result: $(cat "$dir/result.json" 2>/dev/null)"
import json, re, sys
path, ended_by, status, value, reason = sys.argv[1:6]
text = open(path, encoding="utf-8").read()
assert text.endswith("\n") and text.count("\n") == 1, "not one line"
r = json.loads(text)
assert set(r) == {"ended_by", "reason", "status", "guest_value", "exit_port"}, r
assert r["ended_by"] == ended_by, r
assert r["status"] == int(status), r
if value == "null":
    assert r["guest_value"] is None and r["exit_port"] is None, r
else:
    assert r["guest_value"] == int(value, 0), r
    assert r["exit_port"] in ("0x501", "0xf4"), r
assert re.search(reason, r["reason"]), (reason, r["reason"])
PY
}

# run STATUS ARGS...: runs the command (stdin from $stdin, default /dev/null), stdout and stderr
# to files, and checks the status.
run() {
  local want=$1; shift
  rm -f "$dir/result.json"
  timeout -k 5 60 "$@" >"$dir/out" 2>"$dir/err" <"${stdin:-/dev/null}"
  local status=$?
  [ "$status" = "$want" ] || fail "$*: status $status, want $want"
}

# minivmm ended the run: its reason is on stderr, as a line of its own (not a note).
says_why() {
  grep -v "^minivmm: note:" "$dir/err" | grep -qE "^minivmm( run)?: .*$1" || fail "no reason /$1/ on stderr"
}

case "$check" in
guest_cannot_pose_as_minivmm)
  # Every value above 63 ends the run with 63 and a note; --result keeps the value. Before,
  # v & 0xff let a guest exit 88 ("sandbox violation"), 124 ("timeout"), 130 ("SIGINT").
  for v in 64 65 88 124 130 143 255 256 0x12345678; do
    exit_guest "$dir/g.bin" "$v" 0x501
    run 63 "$minivmm" run --result "$dir/result.json" --flat "$dir/g.bin"
    grep -q "^minivmm: note: the guest wrote $((v)) to exit port 0x501; guest statuses are 0-63" \
      "$dir/err" || fail "value $v: no note on stderr"
    check_result guest 63 "$v" "wrote $((v)) to minivmm's exit port 0x501"
  done
  for v in 0 1 42 63; do # the guest's own range: passed through, nothing on stderr
    exit_guest "$dir/g.bin" "$v" 0x501
    run "$v" "$minivmm" run --result "$dir/result.json" --flat "$dir/g.bin"
    [ -s "$dir/err" ] && fail "value $v: unexpected stderr"
    check_result guest "$v" "$v" "^the guest wrote $v to minivmm's exit port 0x501$"
  done
  echo "ok: values above 63 give 63 with a note; 0-63 pass through silently"
  ;;
isa_debug_exit_told_apart)
  # QEMU's (v << 1) | 1 stays, so the guest can end with 65 or 143 too: a note says it was the
  # guest's, --result says guest; no line of minivmm's own.
  for v in 32 71; do
    exit_guest "$dir/g.bin" "$v" 0xf4
    want=$(((v << 1 | 1) & 255))
    run "$want" "$minivmm" run --result "$dir/result.json" --flat "$dir/g.bin"
    grep -q "^minivmm: note: status $want is the guest's own: it wrote $v to isa-debug-exit" \
      "$dir/err" || fail "no note for status $want"
    grep -v "^minivmm: note:" "$dir/err" | grep -q . && fail "a line other than the note"
    check_result guest "$want" "$v" "isa-debug-exit port 0xf4"
  done
  exit_guest "$dir/g.bin" 3 0xf4
  run 7 "$minivmm" run --result "$dir/result.json" --flat "$dir/g.bin"
  [ -s "$dir/err" ] && fail "status 7: unexpected stderr"
  check_result guest 7 3 "\\(3 << 1\\) \\| 1 = 7"
  echo "ok: isa-debug-exit statuses colliding with minivmm's are the guest's, said so"
  ;;
minivmm_says_why)
  # Each way minivmm (or the user, or a signal) ends a run: a reason on stderr, and --result.
  run 124 "$minivmm" run --result "$dir/result.json" --timeout 0.5 "$guests/loop.elf"
  says_why "--timeout 0.5 s"; check_result minivmm 124 null "--timeout 0.5 s"
  run 80 "$minivmm" run --result "$dir/result.json" "$guests/triple-fault.elf"
  says_why "triple fault"; check_result minivmm 80 null "^vCPU 0 stopped: triple fault"
  run 65 "$minivmm" run --result "$dir/result.json" -m 2M
  says_why "give -m"; check_result minivmm 65 null "^hello: .*give -m"
  run 66 "$minivmm" run --result "$dir/result.json" "$dir/missing.elf"
  says_why "cannot open guest"; check_result minivmm 66 null "missing.elf"
  run 69 "$minivmm" run --result "$dir/result.json" --kvm "$dir/no-kvm"
  says_why "does not exist"; check_result minivmm 69 null "no-kvm"
  printf '\xf4' >"$dir/hlt.bin"
  run 81 "$minivmm" run --result "$dir/result.json" --no-irqchip --flat "$dir/hlt.bin"
  says_why "KVM_EXIT_HLT"; check_result minivmm 81 null "KVM_EXIT_HLT"
  stdin=$(dirname "$0")/ctrl-a-x.txt run 86 "$minivmm" run --result "$dir/result.json" "$guests/loop.elf"
  says_why "quit \\(Ctrl-A x\\)"; check_result user 86 null "Ctrl-A x"
  "$minivmm" run --result "$dir/result.json" "$guests/loop.elf" >"$dir/out" 2>"$dir/err" &
  pid=$!
  for _ in $(seq 300); do grep -q "^loop:" "$dir/out" && break; sleep 0.1; done
  kill -TERM "$pid"; wait "$pid"; status=$?
  [ "$status" = 143 ] || fail "SIGTERM: status $status, want 143"
  says_why "stopped by signal 15"; check_result signal 143 null "signal 15 \\(SIGTERM\\)"
  if [ -x "$minivmm_test" ]; then # the escape device's open(): the SIGSYS handler's own result
    printf '\xb0\x01\x66\xba\xf0\x05\xee\x31\xc0\x66\xba\x01\x05\xef' >"$dir/escape.bin"
    run 88 "$minivmm_test" run --result "$dir/result.json" --flat "$dir/escape.bin"
    says_why "sandbox: the VMM tried a forbidden system call: openat"
    check_result minivmm 88 null "^sandbox: the VMM tried a forbidden system call: openat \\(257\\)$"
  fi
  run 64 "$minivmm" run --result "$dir/no-such-dir/result.json"
  says_why "cannot write --result file"
  echo "ok: every end of a run by minivmm, the user or a signal is said and recorded"
  ;;
*)
  echo "unknown check $check" >&2; exit 2 ;;
esac
