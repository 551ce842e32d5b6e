#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The firmware tables of real VMs, checked with the ACPI reference tools (Debian's acpica-tools):
#   iasl_check.sh FW_DUMP GUEST
# For each machine below, fw_dump builds the VM and writes every table a guest finds to a file
# (fw_dump.c; it also checks the RSDP's checksums and the MADT/MP processor counts). Then each
# ACPI table is disassembled with `iasl -d` and the result compiled again with `iasl`: the test
# fails on any error, warning or remark of either, on a "****" diagnostic in the disassembly, or
# if the recompiled table differs from minivmm's (beyond the checksum and the compiler's own
# creator ID and revision). The RSDP has no table header, which this iasl cannot read from a
# file: fw_walk.c checks it (signature, both checksums, length, revision).
# Then acpiexec, ACPICA's AML interpreter (the one Linux runs), loads the FADT, DSDT and MADT and
# evaluates every object the DSDT defines: each must return a value, \_S3 and \_S5 packages of
# four, with no error beyond acpiexec's own self-tests of hardware minivmm does not have (GPE
# blocks, PM2: its "Unexpected ... (aetests-NNN)" lines).
# Exit 77 (SKIP) without iasl or without /dev/kvm.
set -uo pipefail
fw_dump=$1 guest=$2

command -v iasl >/dev/null || { echo "SKIP: no iasl (apt-get install acpica-tools)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# Header bytes that must survive the round trip: signature, length, revision (0-8) and the OEM
# fields (10-27); 9 is the checksum and 28-35 the creator, which iasl sets to its own.
same_table() {
  cmp -s <(head -c 9 "$1") <(head -c 9 "$2") &&
    cmp -s <(head -c 28 "$1" | tail -c +11) <(head -c 28 "$2" | tail -c +11) &&
    cmp -s <(tail -c +37 "$1") <(tail -c +37 "$2")
}

AML_OBJECTS='\_S3 \_S5 \_SB.PCI0._HID \_SB.PCI0._UID \_SB.PCI0._SEG \_SB.PCI0._BBN
  \_SB.COM1._HID \_SB.COM1._UID \_SB.COM1._CRS \_SB.RTC._HID \_SB.RTC._CRS'

check_aml() { # NAME DIR
  command -v acpiexec >/dev/null || { fail "$1: acpiexec missing (acpica-tools)"; return; }
  local commands="" object tables=("$2/FACP.dat" "$2/DSDT.dat")
  [ -f "$2/APIC.dat" ] && tables+=("$2/APIC.dat")
  for object in $AML_OBJECTS; do commands+="evaluate $object;"; done
  timeout 60 acpiexec -b "$commands" "${tables[@]}" >"$2/acpiexec.log" 2>&1 ||
    fail "$1: acpiexec status $?"
  local evaluated
  evaluated=$(grep -c "returned object" "$2/acpiexec.log")
  [ "$evaluated" = "$(echo $AML_OBJECTS | wc -w)" ] ||
    fail "$1: acpiexec evaluated $evaluated of $(echo $AML_OBJECTS | wc -w) objects"
  [ "$(grep -c "Contains 4 Elements" "$2/acpiexec.log")" = 2 ] ||
    fail "$1: \\_S3 and \\_S5 are not packages of four"
  grep -q "1 ACPI AML tables successfully acquired and loaded" "$2/acpiexec.log" ||
    fail "$1: acpiexec did not load the DSDT"
  if grep -v "(aetests-" "$2/acpiexec.log" | grep -qiE "error|exception|warning|AE_"; then
    fail "$1: acpiexec reports a problem"
    grep -v "(aetests-" "$2/acpiexec.log" | grep -iE "error|exception|warning|AE_"
  fi
}

check_machine() { # NAME fw_dump-options...
  local name=$1 dir=$work/$1
  shift
  mkdir -p "$dir"
  "$fw_dump" "$@" "$guest" "$dir" >"$dir/fw_dump.out" 2>&1
  local rc=$?
  [ $rc = 77 ] && { cat "$dir/fw_dump.out"; echo "SKIP: no usable /dev/kvm"; exit 77; }
  [ $rc = 0 ] || { fail "$name: fw_dump $*: status $rc"; cat "$dir/fw_dump.out"; return; }
  local tables=0
  for dat in "$dir"/*.dat; do
    local t
    t=$(basename "$dat" .dat)
    case $t in RSDP | MPFP | PCMP) continue ;; esac # no ACPI table header: fw_walk checks them
    tables=$((tables + 1))
    if ! (cd "$dir" && iasl -d "$t.dat") >"$dir/$t.d.log" 2>&1; then
      fail "$name: iasl -d $t failed"; cat "$dir/$t.d.log"; continue
    fi
    if grep -qiE "warning|error|remark" "$dir/$t.d.log" || grep -q '\*\*\*\*' "$dir/$t.dsl"; then
      fail "$name: iasl -d $t reports a problem"; cat "$dir/$t.d.log"; grep -n '\*\*\*\*' "$dir/$t.dsl"
    fi
    if ! (cd "$dir" && iasl -p "re-$t" "$t.dsl") >"$dir/$t.c.log" 2>&1 ||
      ! grep -q "0 Errors, 0 Warnings, 0 Remarks" "$dir/$t.c.log"; then
      fail "$name: $t.dsl does not compile cleanly"; cat "$dir/$t.c.log"; continue
    fi
    same_table "$dat" "$dir/re-$t.aml" || fail "$name: $t recompiled by iasl differs from minivmm's"
  done
  [ $tables -ge 5 ] || fail "$name: only $tables ACPI tables found"
  check_aml "$name" "$dir"
  echo "ok: $name: $tables tables clean under iasl -d, iasl and acpiexec; $(tail -1 "$dir/fw_dump.out")"
}

check_machine one-cpu --cpus 1
check_machine eight-cpus --cpus 8
check_machine multiboot --boot multiboot
check_machine no-irqchip --no-irqchip
exit $failed
