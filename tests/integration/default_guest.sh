#!/usr/bin/env bash
# The default guest's exact output and status. The CPU line is built from the host's
# /proc/cpuinfo, since KVM_GET_SUPPORTED_CPUID passes the host's vendor and brand through.
set -u
minivmm=$1
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
vendor=$(awk -F': ' '/^vendor_id/ {print $2; exit}' /proc/cpuinfo)
brand=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo | sed -E 's/ +$//')
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
timeout 30 "$minivmm" run -m 96M --cmdline "console=ttyS0 quiet" </dev/null >"$actual" 2>&1
status=$?
if [ "$status" != 0 ]; then echo "FAIL: status $status"; cat "$actual"; exit 1; fi
# The guest prints "\r\n" (a serial console convention); compare lines without the "\r".
if ! diff -u "$expected" <(tr -d '\r' <"$actual"); then echo "FAIL: output differs"; exit 1; fi
echo "ok: exact output, status 0"
