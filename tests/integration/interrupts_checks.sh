#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Interrupts and time, checked on real runs of the shell guest (tests/integration/interrupts.cmake).
# usage: interrupts_checks.sh MINIVMM CHECK   (exits 77 = SKIP without a usable /dev/kvm)
set -u
export LC_ALL=C # numbers and messages parsed below, whatever the user's locale
exec </dev/null # never the terminal: minivmm would put it in raw mode and read it
minivmm=$1 check=$2
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
  echo "SKIP: /dev/kvm is missing or not accessible"
  exit 77
fi
dir=$(mktemp -d)
out=$dir/out err=$dir/err fifo=$dir/in
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT # jobs: our own minivmm runs
fail() { echo "FAIL: $*"; echo "--- stdout:"; head -c 3000 "$out"; echo "--- stderr:"; head -c 3000 "$err"; exit 1; }
shell() { timeout -k 5 60 "$minivmm" run --guest shell "$@" >"$out" 2>"$err"; }
now_ns() { date +%s%N; }
# Types one line into the shell's input (fd 3); in a subshell, so that if the guest has died
# early the SIGPIPE ends the subshell, not this script.
type_line() { (printf '%s\n' "$1" >&3) 2>/dev/null; }

# wait_for_prompts N PID: until the shell has printed N prompts ("minivmm> "); fails if process
# PID ends first, or after 60 s.
wait_for_prompts() {
  local i
  for ((i = 0; i < 600; i++)); do
    [ "$(grep -o 'minivmm> ' "$out" | wc -l)" -ge "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# converse ARGS...: boots the shell with ARGS and types the lines of the array `lines`, line k
# once the shell has printed its k-th prompt, then waits for the end of the run (status
# returned). A reboot takes as long as the host makes it take (load, nested KVM): a fixed pause
# before the next line would be a guess, and a line typed before the reboot is lost with the
# UART's FIFO.
converse() {
  local pid k=0 line
  rm -f "$fifo"
  mkfifo "$fifo"
  timeout -k 5 120 "$minivmm" run --guest shell "$@" <"$fifo" >"$out" 2>"$err" &
  pid=$!
  exec 3>"$fifo"
  for line in "${lines[@]}"; do
    k=$((k + 1))
    wait_for_prompts "$k" "$pid" || break
    type_line "$line"
  done
  exec 3>&-
  wait "$pid"
}

# CPU time (user + system, all threads) the process PID has used so far, in ms.
cpu_ms() {
  local f
  read -r -a f < <(sed 's/^.*) //' /proc/"$1"/stat) # fields from 3 (state) on
  echo $(((f[11] + f[12]) * 1000 / $(getconf CLK_TCK)))
}

case "$check" in
ticks_advance)
  # "sleep 1" halts for 100 ticks of the 100 Hz PIT: uptime must advance by at least that, and
  # by no more ticks than the time that really passed (measured here around the whole run, so
  # a loaded host that is slow between the commands still passes). A run shorter than 1 s
  # would mean ticks faster than 100 Hz.
  start=$(now_ns)
  printf 'uptime\nsleep 1\nuptime\nexit 0\n' | shell
  status=$? wall_ms=$((($(now_ns) - start) / 1000000))
  [ "$status" = 0 ] || fail "exit status $status"
  ticks=($(tr -d '\r' <"$out" | sed -nE 's/^uptime: ([0-9]+) ticks at 100 Hz.*/\1/p'))
  [ "${#ticks[@]}" = 2 ] || fail "expected two uptime lines"
  delta=$((ticks[1] - ticks[0]))
  [ "$delta" -ge 100 ] || fail "ticks advanced by $delta over sleep 1, want 100 or more"
  [ "$wall_ms" -ge 990 ] || fail "sleep 1 was over after $wall_ms ms: ticks faster than 100 Hz"
  [ "$delta" -le $((wall_ms / 10 + 2)) ] || fail "$delta ticks in a run of $wall_ms ms"
  echo "ok: $delta ticks over sleep 1, in a run of $wall_ms ms"
  ;;
date_matches_host)
  # The guest reads the CMOS RTC; minivmm fills it from the host's clock (UTC): the time the
  # guest prints lies between the host's clock before and after the run (1 s each side for the
  # whole seconds the RTC counts in).
  before=$(date -u +%s)
  printf 'date\nexit 0\n' | shell
  after=$(date -u +%s)
  guest_text=$(tr -d '\r' <"$out" | sed -nE 's/^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}) UTC$/\1/p')
  [ -n "$guest_text" ] || fail "no date line"
  guest=$(date -u -d "$guest_text" +%s) || fail "cannot parse '$guest_text'"
  [ "$guest" -ge $((before - 1)) ] && [ "$guest" -le $((after + 1)) ] ||
    fail "guest $guest_text is outside the run, $(date -u -d @"$before" '+%F %T') to $(date -u -d @"$after" '+%T')"
  echo "ok: guest $guest_text, host $(date -u -d @"$before" '+%F %T') to $(date -u -d @"$after" '+%T')"
  ;;
idle_uses_no_cpu)
  # The shell waits for input in HLT with stdin held open: from its prompt on, over 2 s, the
  # whole minivmm process (vCPU, console and main threads) must use under 5 % of one core. CPU
  # time from /proc, counted only over the idle window: the boot's CPU time (which a loaded or
  # nested host stretches) is not the shell's idling.
  rm -f "$fifo"
  mkfifo "$fifo"
  "$minivmm" run --guest shell --timeout 60 <"$fifo" >"$out" 2>"$err" &
  pid=$!
  exec 3>"$fifo"
  wait_for_prompts 1 "$pid" || fail "no prompt"
  cpu0=$(cpu_ms "$pid") start=$(now_ns)
  sleep 2
  cpu1=$(cpu_ms "$pid") wall_ms=$((($(now_ns) - start) / 1000000))
  type_line "exit 0"
  exec 3>&-
  wait "$pid" || fail "exit status $?"
  used=$((cpu1 - cpu0))
  [ $((used * 100)) -lt $((wall_ms * 5)) ] ||
    fail "idle shell used $used ms of CPU in $wall_ms ms (limit 5 %)"
  echo "ok: idle shell used $used ms of CPU in $wall_ms ms"
  ;;
reboot_boots_again)
  # --reboot: each "reboot" boots the kernel again (a new banner), then exit 5 ends the run.
  lines=(reboot reboot "exit 5")
  converse --reboot
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
  lines=(reboot reboot "exit 5")
  for mode in --direct-smp --sipi-smp --no-irqchip; do
    converse --reboot --cpus 2 $mode
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
