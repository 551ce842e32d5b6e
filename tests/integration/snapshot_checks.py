#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Integration checks of snapshots (docs/snapshot.md) with the shell guest under real KVM: a
snapshot taken through the control socket, the round trip (restore, save again, compare section
by section), a restore that goes on at the prompt, --snapshot-on-exit, and bad snapshots refused
with status 65 and one line. Every wait is for output, never a fixed sleep.

usage: snapshot_checks.py MINIVMM ROUNDTRIP_TOOL CASE
"""
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

MINIVMM, ROUNDTRIP, CASE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
# Extra arguments for `minivmm run` and `restore` (the ASan build's leak cases give --no-sandbox).
RUN_ARGS = os.environ.get("MINIVMM_RUN_ARGS", "").split()
if not os.access("/dev/kvm", os.R_OK | os.W_OK):
    print("SKIP: no usable /dev/kvm")
    sys.exit(77)
TMP = tempfile.mkdtemp(prefix="minivmm-snapshot-")
PROMPT = b"minivmm> "
HEADER = 96  # struct snapshot_header
VENDOR_AT, RAM_SIZE_AT, RAM_OFFSET_AT, SECTIONS_AT, CRC_AT = 16, 32, 40, 48, 92


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def wait_for(path, what, proc, seconds=120, times=1):
    """Until the file at path holds what (the guest's output) times times, or the process
    ends."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(path, "rb") as f:
            if f.read().count(what) >= times:
                return
        if proc.poll() is not None:
            fail("minivmm ended (status %s) before printing %r" % (proc.returncode, what))
        time.sleep(0.02)
    fail("no %r within %d s" % (what, seconds))


def request(sock_path, req):
    deadline = time.monotonic() + 60
    while not os.path.exists(sock_path):
        check(time.monotonic() < deadline, "no control socket")
        time.sleep(0.02)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(sock_path)
    s.sendall(json.dumps(req).encode() + b"\n")
    buf = b""
    while b"\n" not in buf:
        chunk = s.recv(65536)
        check(chunk, "socket closed before the reply to %r" % req)
        buf += chunk
    s.close()
    return json.loads(buf.split(b"\n")[0])


def snapshot_when(name, printed, run_args, typed=None):
    """A guest run until it printed printed (and, with typed, answered it and printed it
    again), then saved through the control socket. Returns the file and the output."""
    out, sock, snap = (os.path.join(TMP, name + x) for x in (".out", ".sock", ".snap"))
    with open(out, "wb") as o:
        proc = subprocess.Popen([MINIVMM, "run", *RUN_ARGS, "--api-sock", sock, *run_args],
                                stdin=subprocess.PIPE, stdout=o, stderr=subprocess.DEVNULL)
        try:
            wait_for(out, printed, proc)
            if typed:
                proc.stdin.write(typed)
                proc.stdin.flush()
                wait_for(out, printed, proc, times=2)  # answered, prompting again
            r = request(sock, {"cmd": "snapshot", "file": snap})
            check(r.get("ok") and r.get("file") == snap, "snapshot reply %r" % r)
            again = request(sock, {"cmd": "snapshot", "file": snap})
            check(not again.get("ok") and "exist" in again["error"],
                  "a second snapshot over the same file was not refused: %r" % again)
            request(sock, {"cmd": "stop", "status": 0})
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    check(os.stat(snap).st_mode & 0o777 == 0o600, "snapshot file is not mode 0600")
    with open(out, "rb") as f:
        return snap, f.read()


def snapshot_at_prompt(name, *run_args, typed=None):
    """The shell guest at its prompt, saved."""
    return snapshot_when(name, PROMPT, ["--guest", "shell", *run_args], typed)


def case_virtio_continues():
    # Saved while the driver streams 40 MB through its queue (the device line comes first).
    snap, before = snapshot_when("virtio", b"virtio-rng: device at", [
        "--guest", "virtio-rng", "--cmdline", "bytes=40000000 buf=1000"])
    check(b"virtio-rng: ok" not in before, "the guest finished before the snapshot")
    status, out, err = restore(snap, b"")
    check(status == 0, "restored virtio-rng ended with %d: %s" % (status, err[-500:]))
    check(re.search(rb"virtio-rng: read 40000000 bytes", out) and b"virtio-rng: ok" in out,
          "the restored driver did not finish its reads: %r" % out[-500:])
    print("ok: virtio-rng saved mid-stream finishes its reads after restore")


def restore(snap, stdin_bytes, *extra):
    p = subprocess.run([MINIVMM, "restore", *RUN_ARGS, "--timeout", "120", *extra, snap],
                       input=stdin_bytes, capture_output=True, timeout=180)
    return p.returncode, p.stdout, p.stderr


def case_round_trip():
    snap, _ = snapshot_at_prompt("rt")
    again = os.path.join(TMP, "again.snap")
    p = subprocess.run([ROUNDTRIP, snap, again], capture_output=True, text=True, timeout=120)
    print(p.stdout.strip())
    check(p.returncode == 0, "round trip differs (status %d): %s %s" % (p.returncode, p.stdout,
                                                                       p.stderr))
    check(" 0 differ" in p.stdout, "no comparison reported")
    print("ok: snapshot -> restore -> snapshot gives the same vCPU and device state")


def uptime_ticks(out):
    found = re.findall(rb"uptime: (\d+) ticks at", out)
    check(found, "no uptime line in %r" % out[-300:])
    return int(found[-1])


def case_restore_continues():
    # The shell's echo of what it reads, then its answer: the line the guest printed.
    snap, before = snapshot_at_prompt("cont", typed=b"uptime\n")
    ticks_before = uptime_ticks(before)
    trace = os.path.join(TMP, "trace.txt")
    status, out, err = restore(snap, b"echo restored-and-well\nuptime\nexit 3\n", "--stats",
                               "--trace=" + trace)
    check(status == 3, "restore ended with %d, not the guest's 3: %s" % (status, err[-800:]))
    check(b"restored-and-well" in out, "the shell did not answer after restore: %r" % out[-500:])
    ticks_after = uptime_ticks(out)
    # The guest may answer before its first timer tick (0 ticks): never fewer after.
    check(ticks_after >= ticks_before,
          "uptime went from %d to %d ticks: it did not go on" % (ticks_before, ticks_after))
    check(not out.startswith(b"minivmm toy guest"), "the guest booted again instead")
    check(b"Total Samples:" in err, "--stats printed nothing after restore")
    check(os.path.getsize(trace) > 0, "--trace wrote nothing after restore")
    print("ok: the restored shell answers at its prompt, its uptime goes on (%d -> %d ticks); "
          "--stats and --trace work" % (ticks_before, ticks_after))


def case_smp_and_polled():
    for name, args in (("smp", ["--cpus", "2"]), ("polled", ["--no-irqchip"])):
        snap, _ = snapshot_at_prompt(name, *args)
        status, out, err = restore(snap, b"echo still-%s\nexit 5\n" % name.encode())
        check(status == 5, "%s: restore ended with %d: %s" % (name, status, err[-500:]))
        check(b"still-" + name.encode() in out, "%s: no answer after restore" % name)
        again = os.path.join(TMP, name + "-again.snap")
        p = subprocess.run([ROUNDTRIP, snap, again], capture_output=True, text=True, timeout=120)
        check(p.returncode == 0, "%s: round trip: %s %s" % (name, p.stdout, p.stderr))
    print("ok: two vCPUs and a machine without irqchip restore and round-trip too")


def case_snapshot_on_exit():
    snap = os.path.join(TMP, "exit.snap")
    p = subprocess.run([MINIVMM, "run", *RUN_ARGS, "--guest", "shell", "--snapshot-on-exit",
                        snap],
                       input=b"echo before\nexit 7\n", capture_output=True, timeout=180)
    check(p.returncode == 7, "run ended with %d" % p.returncode)
    check(b"snapshot saved to " + snap.encode() in p.stderr, "no 'snapshot saved' line")
    status, out, err = restore(snap, b"", )
    # The guest had written its exit port: restored, it is past that OUT and goes on (the
    # shell halts after exit); what matters is a clean restore of a stopped run.
    check(status < 64, "restore of an exited run did not run the guest on: %d %s" %
          (status, err[-500:]))
    size = os.path.getsize(snap)
    p = subprocess.run([MINIVMM, "restore", "--snapshot-on-exit", snap, snap],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    check(p.returncode == 64 and b"is the snapshot being restored" in p.stderr,
          "restore FILE --snapshot-on-exit FILE: status %d %r" % (p.returncode, p.stderr))
    check(os.path.getsize(snap) == size, "the refused restore truncated its snapshot")
    print("ok: --snapshot-on-exit writes a snapshot minivmm restore takes, never over its own")


def one_line_refusal(path, words):
    status, out, err = restore(path, b"")
    lines = err.decode(errors="replace").strip().splitlines()
    check(status == 65, "%s: status %d, not 65: %s" % (os.path.basename(path), status, err))
    check(len(lines) == 1, "%s: %d lines on stderr: %r" % (path, len(lines), lines))
    check(words in lines[0], "%s: %r does not say %r" % (path, lines[0], words))
    check(out == b"", "%s: the guest ran" % path)


def reseal(data):
    """Recomputes the header's CRC after a change, so only the change itself is refused."""
    data[CRC_AT:CRC_AT + 4] = struct.pack("<I", zlib.crc32(bytes(data[:CRC_AT])))


def case_bad_snapshots():
    snap, _ = snapshot_at_prompt("bad")
    good = bytearray(open(snap, "rb").read())
    ram_offset = struct.unpack_from("<Q", good, RAM_OFFSET_AT)[0]

    def variant(name, data):
        path = os.path.join(TMP, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    one_line_refusal(variant("truncated", good[:len(good) - 4096]), "truncated")
    one_line_refusal(variant("truncated-state", good[:ram_offset - 100]), "truncated")
    one_line_refusal(variant("empty", b""), "truncated")
    bad = bytearray(good)
    bad[8] = 9  # version
    one_line_refusal(variant("version", bad), "version 9")
    bad = bytearray(good)
    first_section = struct.unpack_from("<Q", good, HEADER + 24)[0]
    bad[first_section] ^= 0xFF
    one_line_refusal(variant("checksum", bad), "checksum")
    bad = bytearray(good)
    other = b"AuthenticAMD" if bytes(good[VENDOR_AT:VENDOR_AT + 12]) != b"AuthenticAMD" \
        else b"GenuineIntel"
    bad[VENDOR_AT:VENDOR_AT + 12] = other
    reseal(bad)
    one_line_refusal(variant("vendor", bad), "same vendor")
    bad = bytearray(good)
    struct.pack_into("<Q", bad, RAM_SIZE_AT, struct.unpack_from("<Q", good, RAM_SIZE_AT)[0] * 2)
    reseal(bad)
    one_line_refusal(variant("ram-size", bad), "bytes")
    bad = bytearray(good)
    struct.pack_into("<I", bad, SECTIONS_AT, 100000)
    reseal(bad)
    one_line_refusal(variant("sections", bad), "sections")
    status, _, err = restore(os.path.join(TMP, "missing.snap"), b"")
    check(status == 66, "a missing file gave %d, not 66" % status)
    print("ok: truncated, damaged, foreign and oversized snapshots refused with 65 and one line")


{"round_trip": case_round_trip, "restore_continues": case_restore_continues,
 "snapshot_on_exit": case_snapshot_on_exit, "bad_snapshots": case_bad_snapshots,
 "smp_and_polled": case_smp_and_polled, "virtio_continues": case_virtio_continues}[CASE]()
