#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The default guest's exact output and status, with each CPU model (docs/cpu-model.md).
#   default_guest.sh MINIVMM host|baseline
# The "cpu:" line is what minivmm documents: `minivmm info --cpuid` prints the vendor and brand
# the guest will see. With baseline the brand is a constant; with host it is KVM's, or the host's
# own where KVM reports none (so it is never empty), whatever this host is.
set -u
minivmm=$1 model=${2:-host}
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
info=$("$minivmm" info --cpuid --cpu-model "$model") || { echo "FAIL: minivmm info --cpuid"; exit 1; }
vendor=$(sed -n 's/^vendor: //p' <<<"$info")
brand=$(sed -n 's/^brand: //p' <<<"$info" | sed -E 's/^ +//')
[ -n "$vendor" ] || { echo "FAIL: info --cpuid names no vendor"; exit 1; }
[ -n "$brand" ] || { echo "FAIL: the guest would see no brand"; echo "$info"; exit 1; }
if [ "$model" = baseline ] && [ "$brand" != "minivmm baseline x86-64 CPU" ]; then
  echo "FAIL: baseline brand is '$brand'"; exit 1
fi
expected=$(mktemp) actual=$(mktemp)
trap 'rm -f "$expected" "$actual"' EXIT
cat >"$expected" <<EOT
minivmm toy guest: kernel up (ring 0), entering user mode
hello from ring 3!
cpu: $vendor  $brand
ram: 96 MiB
cmdline: "console=ttyS0 quiet"
bye (exit 0)
EOT
timeout 30 "$minivmm" run -m 96M --cpu-model "$model" --cmdline "console=ttyS0 quiet" \
  </dev/null >"$actual" 2>&1
status=$?
if [ "$status" != 0 ]; then echo "FAIL: status $status"; cat "$actual"; exit 1; fi
# The guest prints "\r\n" (a serial console convention); compare lines without the "\r".
if ! diff -u "$expected" <(tr -d '\r' <"$actual"); then echo "FAIL: output differs"; exit 1; fi
echo "ok: exact output with --cpu-model $model, status 0"
