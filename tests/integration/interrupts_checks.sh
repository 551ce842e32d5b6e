#!/usr/bin/env bash
# Interrupts and time, checked on real runs of the shell guest (tests/integration/interrupts.cmake).
# usage: interrupts_checks.sh MINIVMM CHECK   (exits 77 = SKIP without a usable /dev/kvm)
set -u
minivmm=$1 check=$2
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
  echo "SKIP: /dev/kvm is missing or not accessible"
  exit 77
fi
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fail() { echo "FAIL: $*"; echo "--- stdout:"; head -c 3000 "$out"; echo "--- stderr:"; head -c 3000 "$err"; exit 1; }
shell() { timeout -k 5 60 "$minivmm" run --guest shell "$@" >"$out" 2>"$err"; }

case "$check" in
ticks_advance)
  # "sleep 1" halts for 100 ticks of the 100 Hz PIT: uptime must advance by about that much.
  printf 'uptime\nsleep 1\nuptime\nexit 0\n' | shell
  [ $? = 0 ] || fail "exit status $?"
  ticks=($(tr -d '\r' <"$out" | sed -nE 's/^uptime: ([0-9]+) ticks at 100 Hz.*/\1/p'))
  [ "${#ticks[@]}" = 2 ] || fail "expected two uptime lines"
  delta=$((ticks[1] - ticks[0]))
  [ "$delta" -ge 100 ] && [ "$delta" -lt 200 ] || fail "ticks advanced by $delta over sleep 1"
  echo "ok: $delta ticks over sleep 1"
  ;;
date_matches_host)
  # The guest reads the CMOS RTC; minivmm fills it from the host's clock (UTC).
  printf 'date\nexit 0\n' | shell
  host=$(date -u +%s)
  guest_text=$(tr -d '\r' <"$out" | sed -nE 's/^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}) UTC$/\1/p')
  [ -n "$guest_text" ] || fail "no date line"
  guest=$(date -u -d "$guest_text" +%s) || fail "cannot parse '$guest_text'"
  diff=$((host - guest))
  [ "${diff#-}" -le 2 ] || fail "guest $guest_text is $diff s off the host"
  echo "ok: guest $guest_text, host $(date -u -d @"$host" '+%F %T'), $diff s apart"
  ;;
idle_uses_no_cpu)
  # The shell waits for input in HLT with stdin held open: over 2 s the whole minivmm process
  # (vCPU, console and main threads) must use under 5 % of one core (CPU time, not wall clock).
  TIMEFORMAT='%U %S'
  { time (sleep 3 | "$minivmm" run --guest shell --timeout 2 >"$out" 2>"$err"); } 2>"$out.time"
  read -r user sys <"$out.time"
  rm -f "$out.time"
  grep -q "minivmm> " "$out" || fail "no prompt"
  cpu_ms=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')
  [ "$cpu_ms" -lt 100 ] || fail "idle shell used $cpu_ms ms of CPU in 2 s (limit 100 ms = 5 %)"
  echo "ok: idle shell used $cpu_ms ms of CPU over 2 s"
  ;;
reboot_boots_again)
  # --reboot: each "reboot" boots the kernel again (a new banner), then exit 5 ends the run.
  (printf 'reboot\n'; sleep 1; printf 'reboot\n'; sleep 1; printf 'exit 5\n') | shell --reboot
  status=$?
  [ "$status" = 5 ] || fail "exit status $status, expected 5"
  banners=$(grep -c "kernel up" "$out")
  [ "$banners" = 3 ] || fail "$banners boot banners, expected 3"
  grep -q "reboot 2 of at most 100" "$err" || fail "no reboot note on stderr"
  echo "ok: 3 boots, status 5"
  ;;
smp_reboot_boots_every_cpu_again)
  # --reboot --cpus 2, in each way of starting the AP: every boot brings both vCPUs up again
  # (the AP's hello, "smp: 2 cpus up"), the banner count shows 3 boots, exit 5 ends the run.
  for mode in --direct-smp --sipi-smp --no-irqchip; do
    (printf 'reboot\n'; sleep 1; printf 'reboot\n'; sleep 1; printf 'exit 5\n') |
      shell --reboot --cpus 2 $mode
    status=$?
    [ "$status" = 5 ] || fail "$mode: exit status $status, expected 5"
    for line in "kernel up" "^cpu 1: hello from an application processor" "^smp: 2 cpus up"; do
      n=$(tr -d '\r' <"$out" | grep -c "$line")
      [ "$n" = 3 ] || fail "$mode: '$line' $n times, expected 3 (one per boot)"
    done
    grep -q "reboot 2 of at most 100" "$err" || fail "$mode: no reboot note on stderr"
    echo "ok: $mode: 3 boots of 2 vCPUs, status 5"
  done
  ;;
*)
  echo "unknown check $check" >&2
  exit 2
  ;;
esac
