#!/usr/bin/env bash
# Bad input costs nothing (issue 13): loaders check everything before they write guest RAM and
# never zero RAM that is zero already. Images come from make_images.py; measure_run.py gives the
# peak RSS, time and bytes read of each run. Bounds are loose (64 MiB, 20 s), for loaded hosts:
# the failures they catch are gigabytes and many seconds.
# usage: loader_checks.sh MINIVMM CHECK
set -u
minivmm=$1 check=$2
here=$(cd "$(dirname "$0")" && pwd)
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: /dev/kvm is missing or not accessible"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; for f in "$dir"/*.out "$dir"/*.err; do [ -s "$f" ] && { echo "--- $f:"; head -c 2000 "$f"; }; done; exit 1; }
python3 "$here/make_images.py" "$dir" || fail "make_images.py failed"

MAX_RSS_KIB=$((64 * 1024))
MAX_SECONDS=20

# measure NAME ARGS...: runs `minivmm run ARGS`; sets status, seconds, maxrss_kib, rchar. The
# peak RSS includes the ~14 MiB of the Python process that forked it.
measure() {
  local name=$1; shift
  local line
  line=$(python3 "$here/measure_run.py" "$dir/$name.out" "$dir/$name.err" -- "$minivmm" run "$@") \
    || fail "measure_run.py failed"
  eval "$line"
  echo "$name: $line"
}

# cheap NAME: the run just measured stayed under the bounds.
cheap() {
  [ "$maxrss_kib" -lt "$MAX_RSS_KIB" ] || fail "$1: peak RSS $maxrss_kib KiB (bound $MAX_RSS_KIB)"
  python3 -c "import sys; sys.exit(float(sys.argv[1]) >= float(sys.argv[2]))" "$seconds" \
    "$MAX_SECONDS" || fail "$1: took $seconds s (bound $MAX_SECONDS s)"
}

# A -m of several GiB needs a host that has it (guest_mem_init refuses more than RAM + swap).
skip_if_host_too_small() {
  if [ "$status" = 71 ] && grep -q "more than this host" "$dir/$1.err"; then
    echo "SKIP: this host has less than the guest RAM this check needs"; exit 77
  fi
}

case "$check" in
zero_bss_not_committed)
  # A 2 GiB bss in fresh guest RAM: accepted and entered without a byte of it made resident
  # (it used to be zeroed: 2 GiB resident and seconds of memset), for ELF64 and multiboot.
  measure elf64 -m 3G "$dir/elf64-bss-2g.elf"
  skip_if_host_too_small elf64
  [ "$status" = 0 ] || fail "elf64-bss-2g.elf: status $status, want 0"
  cheap elf64-bss-2g.elf
  measure kludge -m 3G "$dir/mb-kludge-bss-2g.bin"
  [ "$status" = 0 ] || fail "mb-kludge-bss-2g.bin: status $status, want 0"
  cheap mb-kludge-bss-2g.bin
  echo "ok: 2 GiB of bss cost nothing"
  ;;
*)
  echo "unknown check $check" >&2; exit 2 ;;
esac
