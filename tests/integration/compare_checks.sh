#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Mechanics of `minivmm compare` and `minivmm bench` (never speed): every workload runs, and the
# exits per operation are what each workload implies.
# usage: compare_checks.sh MINIVMM CASE
set -u
export LC_ALL=C # counts and messages parsed below, whatever the user's locale
exec </dev/null # never the terminal: minivmm would put it in raw mode and read it
minivmm=$1 case=$2
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "SKIP: no usable /dev/kvm"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 needed to read the JSON"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
case "$case" in
compare_exit_counts)
  "$minivmm" compare --json --repeats 1 --scale 0.01 >"$dir/c.json" 2>"$dir/err" ||
    { cat "$dir/err"; echo "FAIL: status $?"; exit 1; }
  python3 - "$dir/c.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
def exits(key): return rows[key]["user_exits_per_op"]
# One userspace exit per register write, whichever way the guest reaches the register.
for key in ("pio", "mmio", "pio_syscall", "mmio_syscall"):
    assert exits(key) == 1.0, (key, exits(key))
# ioeventfd doorbells never reach userspace; computation and CPUID never reach the VMM.
for key in ("ioeventfd_pio", "ioeventfd_mmio", "compute", "compute_kernel", "cpuid", "syscall"):
    assert exits(key) == 0.0, (key, exits(key))
# Coalesced writes reach userspace only when KVM's ring is full (170 entries a page).
assert exits("coalesced_mmio") < 0.05, exits("coalesced_mmio")
for key, row in rows.items():
    if key not in ("device_model", "ioperm_outb"):
        assert row["guest_ns"] > 0, key
    if key != "ioperm_outb":
        assert row["host_ns"] > 0, key
print("ok:", len(rows), "rows; exits per op as the workloads imply")
PY
  ;;
compare_table_and_svg)
  "$minivmm" compare --repeats 1 --scale 0.01 --svg "$dir/c.svg" >"$dir/out" 2>&1 ||
    { cat "$dir/out"; echo "FAIL: status"; exit 1; }
  grep -q '^computation (same C loop, per step)' "$dir/out" || { echo "FAIL: no compute row"; exit 1; }
  grep -q '^What it means:' "$dir/out" || { echo "FAIL: no explanation"; exit 1; }
  if command -v xmllint >/dev/null; then xmllint --noout "$dir/c.svg" || { echo "FAIL: SVG"; exit 1; }; fi
  [ "$(grep -c '<rect class="guest"' "$dir/c.svg")" = 13 ] || { echo "FAIL: guest bars"; exit 1; }
  echo "ok: table, explanation and chart"
  ;;
bench_json_keys)
  "$minivmm" bench --iterations 200 --repeats 1 --json "$dir/b.json" >"$dir/out" 2>&1 ||
    { cat "$dir/out"; echo "FAIL: status"; exit 1; }
  python3 - "$dir/b.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for key in ("pio_userspace", "mmio_userspace", "pio_ioeventfd"):
    for field in ("ns", "floor_ns", "ratio_to_floor"):
        assert d[key][field] > 0, (key, field)
assert "trace_overhead_pct" in d and "stats_overhead_pct" in d
assert "trace_exact_overhead_pct" in d
for who in ("", "_floor"):
    for variant in ("", "_no_irqchip", "_serial", "_no_irqchip_serial"):
        key = "vms_per_second" + who + variant
        assert d[key] > 0 and d[key + "_cpu_ms"] > 0, key
print("ok: bench JSON has every figure")
PY
  ;;
*) echo "unknown case $case"; exit 2 ;;
esac
