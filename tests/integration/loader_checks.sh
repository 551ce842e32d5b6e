#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
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

# follow_advice NAME -m SIZE ARGS...: the run is refused with "give -m NM or more"; then -m NM
# boots the guest (status 0) and -m (N-1)M is still refused: the advice works and is the least.
follow_advice() {
  local name=$1 m=$3; shift 3
  measure "$name" -m "$m" "$@"
  case "$status" in 64|65) ;; *) fail "$name: status $status, want a refusal (64 or 65)" ;; esac
  local advised
  advised=$(grep -oE "give -m [0-9]+M or more" "$dir/$name.err" | grep -oE "[0-9]+") \
    || fail "$name: no '-m' advice"
  [ "$advised" -le 3072 ] || fail "$name: advised -m ${advised}M, beyond the 3072M maximum"
  measure "$name-advised" -m "${advised}M" "$@"
  skip_if_host_too_small "$name-advised"
  [ "$status" = 0 ] || fail "$name: -m ${advised}M as advised: status $status, want 0"
  if [ "$advised" -gt 2 ]; then
    measure "$name-less" -m "$((advised - 1))M" "$@"
    [ "$status" != 0 ] || fail "$name: -m $((advised - 1))M boots too: the advice is not the least"
  fi
  echo "$name: -m ${advised}M, as advised, boots"
}

# beyond_maximum NAME ARGS...: refused with advice other than -m, since no -m can hold it.
beyond_maximum() {
  local name=$1; shift
  measure "$name" "$@"
  [ "$status" = 65 ] || [ "$status" = 64 ] || fail "$name: status $status, want 64 or 65"
  grep -q "give -m" "$dir/$name.err" && fail "$name: advises a -m although none can do"
  grep -qE "beyond minivmm's 3072 MiB maximum|even at minivmm's 3072 MiB maximum" \
    "$dir/$name.err" || fail "$name: does not say the maximum is the limit"
  cheap "$name"
}

case "$check" in
refused_image_costs_nothing)
  # Issue 13: load 0x100000, bss_end 0xc0000000, -m 3G: the kernel fit, so its 3 GiB bss was
  # zeroed (3.1 GB resident, 5-14 s), and only then was the boot information found not to fit.
  # (The information now lives below 1 MiB, so the image ends at 0xc0001000 to stay too big.)
  measure bss3g -m 3G "$dir/mb-kludge-bss-3g.bin"
  skip_if_host_too_small bss3g
  [ "$status" = 65 ] || fail "status $status, want 65"
  grep -q "link the kernel lower" "$dir/bss3g.err" || fail "no advice to link lower"
  cheap mb-kludge-bss-3g.bin
  echo "ok: a refused 3 GiB kernel cost $maxrss_kib KiB and $seconds s"
  ;;
big_modules_refused_fast)
  # Issue 13: up to 16 modules of up to 1 GiB were read whole into host memory and only then
  # compared with guest RAM (four 1 GiB modules, -m 64M: 4.2 GB and 11.8 s). Now their sizes
  # (fstat) are checked first and nothing is read: sparse files, so the host's disk is spared.
  mods=()
  for i in $(seq 16); do truncate -s 1G "$dir/mod$i"; mods+=(--module "$dir/mod$i"); done
  measure mods16 -m 64M --boot multiboot "${mods[@]}" --guest hello
  [ "$status" = 64 ] || fail "16 modules: status $status, want 64"
  grep -q "give smaller or fewer modules" "$dir/mods16.err" || fail "16 modules: no advice"
  cheap "16 modules of 1 GiB"
  [ "$rchar" -lt $((16 << 20)) ] || fail "16 modules: $rchar bytes read before refusing"
  measure mods2 -m 64M --boot multiboot --module "$dir/mod1" --module "$dir/mod2" --guest hello
  [ "$status" = 64 ] || fail "2 modules: status $status, want 64"
  grep -qE "give -m 20[0-9]{2}M or more" "$dir/mods2.err" || fail "2 modules: no -m advice"
  cheap "2 modules of 1 GiB"
  [ "$rchar" -lt $((16 << 20)) ] || fail "2 modules: $rchar bytes read before refusing"
  echo "ok: modules of 16 GiB and 2 GiB refused by their sizes, nothing read"
  ;;
advice_works)
  # Issue 13: every "give -m N" must be accepted by the next run ("3073M" where 3072M is the
  # maximum, "4098M" for an ELF32 kernel, 1 MiB too many for multiboot kernels).
  printf '\x66\xba\x01\x05\x31\xc0\xef' >"$dir/flat.bin"
  truncate -s 8K "$dir/flat.bin"
  follow_advice flat -m 2M --flat --load-addr 0x1ff000 "$dir/flat.bin"
  follow_advice toy-direct -m 2M --guest hello
  follow_advice toy-multiboot -m 2M --boot multiboot --guest hello
  follow_advice elf64-two-segments -m 4M "$dir/elf64-two-segments.elf"
  follow_advice kludge-256m -m 64M "$dir/mb-kludge-bss-256m.bin"
  follow_advice elf32 -m 2M "$dir/mb-elf32-bss.elf"
  truncate -s 5M "$dir/module"
  follow_advice modules -m 2M --boot multiboot --module "$dir/module" --module "$dir/module" \
    --guest hello
  follow_advice kludge-top -m 64M "$dir/mb-kludge-top.bin"
  beyond_maximum kludge-3g -m 64M "$dir/mb-kludge-bss-3g.bin"
  beyond_maximum elf32-beyond "$dir/mb-elf32-beyond.elf"
  beyond_maximum elf64-beyond "$dir/elf64-beyond.elf"
  echo "ok: every advice is accepted, and is the least -m that is"
  ;;

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
