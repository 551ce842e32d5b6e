#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tools/boot-timeline against a real boot: the toy guest's timeline names KVM's ioctls in the
order a VMM must make them, sees the guest's first serial write and the byte reaching stdout
after it, and its phases add up to the time of that write. Exits 77 (a visible skip) where
tracing is not available (not root, no tracefs, no kvm:kvm_pio event).

usage: boot_timeline_checks.py TOOL MINIVMM HELLO_ELF"""
import json
import os
import subprocess
import sys
import tempfile

tool, minivmm, hello = sys.argv[1:4]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "t.json")
    p = subprocess.run([tool, "--json", out, minivmm, "run", hello], capture_output=True,
                       text=True, timeout=120)
    if p.returncode == 77:
        print("SKIP: " + p.stderr.strip())
        sys.exit(77)
    if p.returncode != 0:
        fail("boot-timeline ended with %d: %s" % (p.returncode, p.stderr.strip()))
    with open(out) as f:
        t = json.load(f)

calls = [e["call"] for e in t["events"]]
order = ["KVM_CREATE_VM", "KVM_SET_USER_MEMORY_REGION", "KVM_CREATE_VCPU", "KVM_RUN"]
at = []
for name in order:
    if name not in calls:
        fail("no %s in the timeline: %s" % (name, sorted(set(calls))))
    at.append(calls.index(name))
if at != sorted(at):
    fail("KVM's ioctls out of order: %s at %s" % (order, at))
if any(e["us"] < 0 or e["user_us_before"] < 0 for e in t["events"]):
    fail("a negative duration")
marks = t["marks_ms"]
for key in ("serial", "stdout", "exit"):
    if key not in marks:
        fail("no %s mark: %s" % (key, marks))
first_run = next(e["start_ms"] for e in t["events"] if e["call"] == "KVM_RUN")
if not first_run < marks["serial"] <= marks["stdout"] < marks["exit"]:
    fail("marks out of order: first KVM_RUN %.3f, %s" % (first_run, marks))
total = sum(p["ms"] for p in t["phases"])
if abs(total - marks["stdout"]) > 1e-6:
    fail("phases add up to %.3f ms, the stdout write is at %.3f" % (total, marks["stdout"]))
print("PASS: %d calls, first serial write %.3f ms, stdout %.3f ms after exec"
      % (len(calls), marks["serial"], marks["stdout"]))
