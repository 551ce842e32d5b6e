#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One integration test: runs a command and checks its exit status and output.
#
# usage: run_case.sh [--kvm] [--status N] [--stdin FILE] [--stdout-equals FILE]
#                    [--stdout-match ERE]... [--stderr-match ERE]... [--stdout-lines N]
#                    [--max-seconds S] [--flat-hex "B8 2A ..."] -- COMMAND [ARGS...]
# --flat-hex writes those bytes to a temporary file and puts its path in place of the word
# FLAT_IMAGE in COMMAND (tiny hand-assembled guests for the exit paths).
# --as-nobody: run COMMAND as user nobody (needs root and setpriv, else SKIP).
# --kvm: the test needs a usable /dev/kvm; without one it exits 77, which ctest reports as
# SKIPPED (SKIP_RETURN_CODE), never as passed.
set -u
export LC_ALL=C # the regular expressions and counts below, whatever the user's locale
want_status=0 as_nobody=0 stdin=/dev/null stdout_equals= needs_kvm=0 max_seconds=60 stdout_lines=
stdout_res=() stderr_res=() flat_hex=
while [ $# -gt 0 ]; do
  case "$1" in
    --kvm) needs_kvm=1 ;;
    --as-nobody) as_nobody=1 ;;
    --status) want_status=$2; shift ;;
    --stdin) stdin=$2; shift ;;
    --stdout-equals) stdout_equals=$2; shift ;;
    --stdout-match) stdout_res+=("$2"); shift ;;
    --stderr-match) stderr_res+=("$2"); shift ;;
    --stdout-lines) stdout_lines=$2; shift ;;
    --max-seconds) max_seconds=$2; shift ;;
    --flat-hex) flat_hex=$2; shift ;;
    --) shift; break ;;
    *) echo "run_case.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$needs_kvm" = 1 ] && ! [ -r /dev/kvm -a -w /dev/kvm ]; then
  echo "SKIP: /dev/kvm is missing or not accessible"
  exit 77
fi

if [ "$as_nobody" = 1 ]; then
  drop=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  if [ "$(id -u)" != 0 ] || ! "${drop[@]}" test -x "$1" 2>/dev/null; then
    echo "SKIP: needs root, setpriv, and a build directory user nobody can reach"
    exit 77
  fi
  # Where /dev/kvm is open to everyone (mode 0666, systemd's default) there is no refusal to
  # see: the case is about the message when permission is missing.
  if "${drop[@]}" test -r /dev/kvm -a -w /dev/kvm; then
    echo "SKIP: user nobody may open /dev/kvm here ($(stat -c %A /dev/kvm)): nothing to deny"
    exit 77
  fi
  set -- "${drop[@]}" "$@"
fi

out=$(mktemp) err=$(mktemp) flat=$(mktemp)
trap 'rm -f "$out" "$err" "$flat"' EXIT
if [ -n "$flat_hex" ]; then
  printf "$(echo "$flat_hex" | sed -E 's/([0-9A-Fa-f]{2}) ?/\\x\1/g')" >"$flat"
  args=()
  for a in "$@"; do [ "$a" = FLAT_IMAGE ] && args+=("$flat") || args+=("$a"); done
  set -- "${args[@]}"
fi
timeout -k 5 "$max_seconds" "$@" <"$stdin" >"$out" 2>"$err"
status=$?
fail=0
say() { echo "FAIL: $*"; fail=1; }

[ "$status" = "$want_status" ] || say "exit status $status, expected $want_status"
if [ -n "$stdout_equals" ] && ! diff -u "$stdout_equals" "$out" >/dev/null; then
  say "stdout differs from $stdout_equals:"
  diff -u "$stdout_equals" "$out" | head -40
fi
for re in "${stdout_res[@]+"${stdout_res[@]}"}"; do
  grep -q -E -- "$re" "$out" || say "stdout lacks /$re/"
done
for re in "${stderr_res[@]+"${stderr_res[@]}"}"; do
  grep -q -E -- "$re" "$err" || say "stderr lacks /$re/"
done
if [ -n "$stdout_lines" ]; then
  n=$(wc -l <"$out")
  [ "$n" = "$stdout_lines" ] || say "stdout has $n lines, expected $stdout_lines"
fi
if [ "$fail" = 1 ]; then
  echo "--- command: $*"
  echo "--- stdout:"; head -c 4000 "$out"
  echo "--- stderr:"; head -c 4000 "$err"
  exit 1
fi
echo "ok: status $status"
exit 0
