#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Integration checks of the control socket (minivmm run --api-sock, docs/api.md) against the
shell guest under real KVM. A client here drives each command and checks every reply and event.

usage: api_checks.py MINIVMM CASE
"""
import json
import os
import pwd
import re
import socket
import stat
import subprocess
import sys
import tempfile
import time

MINIVMM, CASE = os.path.abspath(sys.argv[1]), sys.argv[2]
# Extra arguments for `minivmm run` (the ASan build's leak cases give --no-sandbox).
RUN_ARGS = os.environ.get("MINIVMM_RUN_ARGS", "").split()
if not (os.access("/dev/kvm", os.R_OK | os.W_OK)):
    print("SKIP: no usable /dev/kvm")
    sys.exit(77)
TMP = tempfile.mkdtemp(prefix="minivmm-api-")
# How long to wait for something the guest or minivmm will do: never a guess at how long it
# takes (CI runs this under `taskset -c 0` beside a CPU hog, where a boot or a reboot takes
# seconds), only a bound after which it is not coming.
DEADLINE = 60


def wait_until(cond, what, seconds=DEADLINE):
    """Polls cond() until it is true; fails naming `what` after `seconds`."""
    end = time.monotonic() + seconds
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            fail("%s not within %d s" % (what, seconds))
        time.sleep(0.05)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


class Client:
    def __init__(self, path, timeout=30):  # a loaded host: a reboot took over 10 s
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.events = []

    def send_raw(self, data):
        self.sock.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:  # closed by minivmm with our request unread
                chunk = b""
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def reply(self):
        """The next reply; events that come first are kept in self.events."""
        while True:
            msg = self.line()
            if msg is None:
                return None
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def event(self, name):
        for i, e in enumerate(self.events):
            if e["event"] == name:
                return self.events.pop(i)
        while True:
            msg = self.line()
            if msg is None:
                fail("connection closed while waiting for event %s" % name)
            if msg.get("event") == name:
                return msg
            if "event" in msg:
                self.events.append(msg)

    def ask(self, req):
        self.send_raw((json.dumps(req) if not isinstance(req, str) else req).encode() + b"\n")
        r = self.reply()
        check(r is not None, "no reply to %r" % (req,))
        return r

    def ok(self, req):
        r = self.ask(req)
        check(r.get("ok") is True, "%r failed: %r" % (req, r))
        return r

    def error(self, req, fragment):
        r = self.ask(req)
        check(r.get("ok") is False, "%r should fail: %r" % (req, r))
        check(fragment in r.get("error", ""), "%r: error %r lacks %r" % (req, r.get("error"), fragment))
        return r

    def close(self):
        self.sock.close()


STARTED = []  # every minivmm a case started: none may outlive a failed case


class Vm:
    """minivmm run --guest shell --api-sock, its stdin a pipe held open, stdout in a file."""

    def __init__(self, *extra, sock=None):
        self.sock_path = sock or os.path.join(TMP, "vm.sock")
        self.out = open(os.path.join(TMP, "stdout"), "w+b")
        self.err = open(os.path.join(TMP, "stderr"), "w+b")
        self.proc = subprocess.Popen(
            [MINIVMM, "run"] + RUN_ARGS + ["--guest", "shell", "--api-sock", self.sock_path]
            + list(extra),
            stdin=subprocess.PIPE, stdout=self.out, stderr=self.err)
        STARTED.append(self.proc)
        def ready():
            if self.proc.poll() is not None:
                fail("minivmm ended early with %d: %s" % (self.proc.returncode, self.stderr()))
            return os.path.exists(self.sock_path) and self.stdout().count(b"minivmm> ")
        wait_until(ready, "the socket and the shell's prompt")

    def prompts(self):
        return self.stdout().count(b"minivmm> ")

    def type(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def stdout(self):
        self.out.flush()
        with open(self.out.name, "rb") as f:
            return f.read()

    def stderr(self):
        with open(self.err.name, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_stdout(self, needle, seconds=DEADLINE):
        wait_until(lambda: needle.encode() in self.stdout(),
                   "the guest printing %r (stdout: %r)" % (needle, self.stdout()[-500:]), seconds)

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def thread_ticks(self):
        """{thread name and id: utime + stime} for every thread of the process."""
        ticks = {}
        task = "/proc/%d/task" % self.proc.pid
        for tid in os.listdir(task):
            try:
                with open("%s/%s/stat" % (task, tid)) as f:
                    text = f.read()
            except FileNotFoundError:  # a thread that just ended
                continue
            name = text[text.index("(") + 1:text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            ticks["%s/%s" % (name, tid)] = int(fields[11]) + int(fields[12])
        return ticks

    def wait(self, seconds=DEADLINE):
        try:
            return self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("minivmm did not end within %d s" % seconds)


def stop_and_check(vm, client, status):
    r = client.ok({"cmd": "stop", "status": status})
    check(r["status"] == status and r["state"] == "stopping", "stop reply %r" % r)
    ev = client.event("stopped")
    check(ev["status"] == status and ev["reason"] == "stop command", "stopped event %r" % ev)
    check(vm.wait() == status, "exit status %s, want %d; stderr: %s" % (vm.proc.returncode, status, vm.stderr()))
    check(not os.path.exists(vm.sock_path), "socket left behind after the run")


def case_every_command():
    vm = Vm("--no-write-batching")  # each typed letter's echo an exit: the stats and trace count them
    mode = os.lstat(vm.sock_path).st_mode
    check(stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600, "socket mode %o" % mode)
    c = Client(vm.sock_path)
    r = c.ok({"cmd": "help", "id": 1})
    names = [x["cmd"] for x in r["commands"]]
    check(names == ["status", "stats", "pause", "resume", "regs", "trace", "stop", "snapshot",
                    "help"],
          "help lists %r" % names)
    check(r["id"] == 1, "id not echoed")
    check(set(r["events"]) == {"paused", "resumed", "reboot", "powered_off", "stopped"}, "events")
    r = c.ok({"cmd": "status"})
    check(r["state"] == "running" and r["guest"] == "shell", "status %r" % r)
    check(len(r["vcpus"]) == 1 and r["vcpus"][0]["state"] == "running", "vcpus %r" % r["vcpus"])
    check(r["vcpus"][0]["exits"] > 100 and r["vcpus"][0]["in_kvm_run_ns"] > 0, "vcpu counters")
    check(r["uptime_s"] > 0 and r["trace"] is None, "uptime/trace")
    v = r["vcpus"][0]
    split = v["time_split_ns"]
    check(v["cpu_ns"] > 0 and split["vmm"] == v["in_vmm_ns"], "vcpu time %r" % v)
    if split["halted"] is not None:  # KVM's halt_wait_ns (Linux 5.14 and later)
        check(split["guest_and_kvm"] + split["halted"] == v["in_kvm_run_ns"], "split %r" % v)
    if split["guest_est"] is not None:  # the host accounts guest time
        check(abs(split["guest_est"] + split["kvm_est"] - split["guest_and_kvm"]) <= 1,
              "estimates do not add up: %r" % split)
    vm.type("echo counted\n")
    vm.wait_stdout("counted\r\n")
    time.sleep(0.1)
    r = c.ok({"cmd": "stats"})
    keys = {a["access"]: a["samples"] for a in r["accesses"]}
    check(keys.get("uart8250 out 0x3f8", 0) > 50, "stats accesses %r" % keys)
    check(r["batched_writes"] == 0, "batched writes under --no-write-batching: %r" % r)
    check(r["reasons"][0]["reason"] == "IO", "reasons %r" % r["reasons"])
    check(r["records"] == sum(x["samples"] for x in r["reasons"]), "records != sum of reasons")
    check("Analyze events" in r["text"] and "uart8250 out 0x3f8" in r["text"], "stats text")
    r = c.ok({"cmd": "pause"})
    check(r["state"] == "paused", "pause reply %r" % r)
    c.event("paused")
    check(c.ok({"cmd": "status"})["state"] == "paused", "status not paused")
    r = c.ok({"cmd": "regs", "vcpu": 0})
    check(r["paused_for_read"] is False and r["rip"].startswith("0x") and len(r["rip"]) == 18,
          "regs %r" % r)
    check(r["text"].startswith("  rip ") and "cr3 " in r["text"], "regs text %r" % r["text"])
    r = c.ok({"cmd": "resume"})
    check(r["state"] == "running", "resume reply %r" % r)
    c.event("resumed")
    r = c.ok({"cmd": "regs"})
    check(r["paused_for_read"] is True and r["vcpu"] == 0, "regs while running %r" % r)
    check(c.ok({"cmd": "status"})["state"] == "running", "regs left the VM paused")
    trace = os.path.join(TMP, "trace.txt")
    r = c.ok({"cmd": "trace", "file": trace})
    check(r["tracing"] is True and r["file"] == trace, "trace start %r" % r)
    check(c.ok({"cmd": "status"})["trace"] == trace, "status does not name the trace")
    vm.type("echo traced\n")
    vm.wait_stdout("traced\r\n")
    time.sleep(0.1)
    r = c.ok({"cmd": "trace", "stop": True})
    check(r["tracing"] is False, "trace stop %r" % r)
    lines = open(trace).read().splitlines()
    outs = [l for l in lines if " IO    out 0x3f8 1B " in l]
    check(len(outs) >= len("echo traced\r\n"), "%d UART writes traced: %r" % (len(outs), lines[:5]))
    check(any("'t'" in l for l in outs), "the typed letters are not in the trace")
    c.error({"cmd": "trace", "file": trace}, "File exists: give the path of a new file")
    stop_and_check(vm, c, 7)
    print("ok: help, status, stats, pause, regs, resume, trace, stop all answered as documented")


def pause_check(cpus):
    """pause parks every vCPU: no exits and no CPU over a second (from /proc, per thread, not
    from minivmm's own figures); resume lets the guest go on."""
    vm = Vm("--cpus", str(cpus)) if cpus > 1 else Vm()
    c = Client(vm.sock_path)
    vm.type("bench pio 100000000\n")  # exits to minivmm for minutes

    def exits():
        return [v["exits"] for v in c.ok({"cmd": "status"})["vcpus"]]
    start = exits()[0]
    wait_until(lambda: exits()[0] > start + 1000, "the guest's bench exits")
    t0, w0 = vm.cpu_ticks(), time.monotonic()
    time.sleep(1.0)  # a window to measure, not a wait for an event
    running, running_s = vm.cpu_ticks() - t0, time.monotonic() - w0
    # A busy host may give the guest much less than a CPU; it must still be clearly above 0.
    check(running >= 5, "the guest used only %d ticks of CPU in %.1f s before the pause"
          % (running, running_s))
    c.ok({"cmd": "pause"})
    c.event("paused")
    r = c.ok({"cmd": "status"})
    check(len(r["vcpus"]) == cpus and all(v["state"] == "paused" for v in r["vcpus"]),
          "vCPUs after pause: %r" % r["vcpus"])
    exits0 = [v["exits"] for v in r["vcpus"]]
    threads0, t0, w0 = vm.thread_ticks(), vm.cpu_ticks(), time.monotonic()
    time.sleep(1.0)  # the window in which nothing may happen
    threads1, paused, paused_s = vm.thread_ticks(), vm.cpu_ticks() - t0, time.monotonic() - w0
    exits1 = exits()
    check(paused <= 2, "paused VM used %d ticks of CPU in %.1f s (running: %d)"
          % (paused, paused_s, running))
    busy = {t: threads1[t] - threads0[t] for t in threads1
            if t in threads0 and threads1[t] - threads0[t] > 1}
    check(not busy, "threads that used CPU while paused (ticks): %r" % busy)
    check(exits1 == exits0, "exits went on while paused: %r -> %r" % (exits0, exits1))
    c.ok({"cmd": "resume"})
    c.event("resumed")
    exits2 = wait_until(lambda: (lambda e: e if e[0] > exits1[0] + 1000 else None)(exits()),
                        "the guest continuing after resume")
    stop_and_check(vm, c, 0)
    print("ok: %d vCPU(s): CPU ticks in a second: running %d, paused %d (no thread above 1); "
          "exits %r -> %r after resume" % (cpus, running, paused, exits1, exits2))


def case_pause_holds_cpu():
    pause_check(1)


def case_pause_holds_cpu_smp():
    pause_check(2)


def case_guest_events():
    vm = Vm("--reboot")
    c = Client(vm.sock_path)
    vm.type("reboot\n")
    ev = c.event("reboot")
    check(ev["count"] == 1, "reboot event %r" % ev)
    # the rebooted shell's prompt: a line typed earlier is lost in the reset
    wait_until(lambda: vm.prompts() >= 2, "a prompt after the reboot")
    c.ok({"cmd": "pause"})
    check(c.event("paused") == {"event": "paused"}, "paused event")
    c.ok({"cmd": "resume"})
    check(c.event("resumed") == {"event": "resumed"}, "resumed event")
    vm.type("exit 3\n")
    ev = c.event("powered_off")
    check(ev["status"] == 3, "powered_off %r" % ev)
    ev = c.event("stopped")
    check(ev["status"] == 3 and ev["reason"] == "guest exit", "stopped %r" % ev)
    check(c.line() is None, "something after the stopped event")
    check(vm.wait() == 3, "status %d" % vm.proc.returncode)
    check(not os.path.exists(vm.sock_path), "socket left behind")
    print("ok: reboot, paused, resumed, powered_off and stopped events, in order")


def case_bad_requests():
    vm = Vm()
    c = Client(vm.sock_path)
    c.error("garbage", "request is not JSON")
    c.error("[1,2]", "a request is an object with a string \"cmd\"")
    c.error('{"cmd": 5}', "a request is an object with a string \"cmd\"")
    c.error('{"cmd":"status","cmd":"stop"}', "request is not JSON (duplicate object key")
    c.error({"cmd": "reboot"}, "unknown command 'reboot'")
    c.error({"cmd": "status\u0000x"}, "request is not JSON (\\u0000 is not allowed")
    c.error({"cmd": "status", "verbose": True}, "status takes no argument 'verbose'")
    c.error({"cmd": "regs", "vcpu": "0"}, "regs: 'vcpu' must be an integer from 0 to 255")
    c.error({"cmd": "regs", "vcpu": 3}, "regs: no vCPU 3: this VM has vCPUs 0 to 0")
    c.error({"cmd": "stop", "status": 256}, "stop: 'status' must be an integer from 0 to 255")
    c.error({"cmd": "trace"}, "trace: give {\"file\": PATH}")
    c.error({"cmd": "trace", "file": ""}, "trace: 'file' must be a path")
    c.error({"cmd": "trace", "stop": 1}, "trace: 'stop' must be true")
    c.error({"cmd": "trace", "stop": True}, "trace: no trace is running")
    c.error({"cmd": "trace", "file": "/nonexistent-dir/t"}, "trace: cannot create '/nonexistent-dir/t'")
    c.error({"cmd": "trace", "file": "/etc/passwd"}, "File exists")
    c.error({"cmd": "resume"}, "the VM is not paused")
    c.ok({"cmd": "pause"})
    c.error({"cmd": "pause"}, "the VM is already paused")
    c.ok({"cmd": "resume"})
    c.send_raw(b"\n\r\n")  # empty lines: no reply
    c.ok({"cmd": "status"})
    stop_and_check(vm, c, 0)
    print("ok: every malformed request got its documented error; the connection stayed usable")


def case_oversized_and_vanishing():
    vm = Vm()
    keep = Client(vm.sock_path)
    big = Client(vm.sock_path)
    big.send_raw(b'{"cmd":"status","pad":"' + b"x" * 70000)
    r = big.reply()
    check(r is not None and r["ok"] is False and "request over 65536 bytes" in r["error"],
          "oversized: %r" % r)
    check(big.line() is None, "oversized client not closed")
    gone = Client(vm.sock_path)
    gone.send_raw(b'{"cmd":"sta')
    gone.close()  # vanishes mid-line
    lazy = Client(vm.sock_path)
    for _ in range(4000):  # never reads its replies: dropped once 256 KiB are queued
        try:
            lazy.send_raw(b'{"cmd":"help"}\n')
        except (BrokenPipeError, ConnectionResetError):
            break
    vm.type("echo still here\n")
    vm.wait_stdout("still here\r\n", 10)
    r = keep.ok({"cmd": "status"})
    check(r["state"] == "running", "VM not running after hostile clients: %r" % r)
    clients = [Client(vm.sock_path) for _ in range(8)]
    extra = Client(vm.sock_path)
    r = extra.line()
    check(r is not None and "too many clients" in r.get("error", ""), "ninth client: %r" % r)
    for cl in clients:
        cl.close()
    time.sleep(0.2)
    stop_and_check(vm, keep, 0)
    print("ok: oversized request refused and dropped, vanished and lazy clients dropped, "
          "the guest's console and other clients unaffected, 8 clients at most")


def case_socket_refusals():
    path = os.path.join(TMP, "refuse.sock")
    open(path, "w").close()
    p = subprocess.run([MINIVMM, "run", "--api-sock", path], capture_output=True, text=True)
    check(p.returncode == 64 and "exists and is not a socket: remove it or give another path"
          in p.stderr, "regular file: %d %s" % (p.returncode, p.stderr))
    os.unlink(path)
    # a stale socket of ours (nothing listens) is replaced
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.close()
    vm = Vm(sock=path)
    c = Client(path)
    # a live one is refused
    p = subprocess.run([MINIVMM, "run", "--api-sock", path], capture_output=True, text=True)
    check(p.returncode == 64 and "is in use by a running program" in p.stderr,
          "live socket: %d %s" % (p.returncode, p.stderr))
    if os.geteuid() == 0:
        # a second user cannot connect (mode 0600)
        nobody = pwd.getpwnam("nobody")
        probe = ("import socket,sys\ns=socket.socket(socket.AF_UNIX)\n"
                 "try:\n s.connect(sys.argv[1]); print('connected')\n"
                 "except PermissionError: print('refused')\n")
        os.chmod(TMP, 0o755)
        p = subprocess.run(["setpriv", "--reuid=%d" % nobody.pw_uid, "--regid=%d" % nobody.pw_gid,
                            "--clear-groups", sys.executable, "-c", probe, path],
                           capture_output=True, text=True)
        check(p.stdout.strip() == "refused", "user nobody: %r %r" % (p.stdout, p.stderr))
    stop_and_check(vm, c, 0)
    if os.geteuid() == 0:
        # a socket owned by someone else is refused, and left alone
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.close()
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
        p = subprocess.run([MINIVMM, "run", "--api-sock", path], capture_output=True, text=True)
        check(p.returncode == 64 and "is a socket of user %d, not yours" % nobody.pw_uid in p.stderr,
              "foreign socket: %d %s" % (p.returncode, p.stderr))
        check(os.path.exists(path), "someone else's socket was removed")
    print("ok: a file, a live socket and another user's socket refused; a stale one reused; "
          "another user cannot connect")


def stats_table(stderr):
    """The DEVICE ACCESS rows of --stats: {"uart8250 out 0x3f8": samples, ...}."""
    rows, inside = {}, False
    for line in stderr.splitlines():
        if "DEVICE ACCESS" in line:
            inside = True
            continue
        if inside and line.startswith("Total Samples"):
            break
        parts = line.split()
        if inside and len(parts) > 4 and "%" in parts[-8]:
            name = line[:26].strip()
            rows[name] = int(line[26:36])
    return rows


def case_top_agrees_with_stats():
    vm = Vm("--stats", "--no-write-batching")  # over 100 exits to count, as below
    c = Client(vm.sock_path)
    vm.type("echo counted by top\n")
    vm.wait_stdout("counted by top\r\n")
    # The shell is idle again (its next prompt, then HLT): no exit reaches minivmm until the
    # stop. Seen as two equal record counts a little apart, however long the host took.
    wait_until(lambda: vm.prompts() >= 2, "the prompt after the echo")

    def settled():
        before = c.ok({"cmd": "stats"})["records"]
        time.sleep(0.2)
        return c.ok({"cmd": "stats"})["records"] == before
    wait_until(settled, "the exit count settling")
    p = subprocess.run([MINIVMM, "top", "--once", "--json", vm.sock_path], capture_output=True,
                       text=True, timeout=20)
    check(p.returncode == 0, "top --once --json: %d %s" % (p.returncode, p.stderr))
    frames = p.stdout.splitlines()
    check(len(frames) == 1, "top --once printed %d lines" % len(frames))
    frame = json.loads(frames[0])
    top = {a["access"]: a["total"] for a in frame["accesses"]}
    check(frame["state"] == "running" and frame["records"] > 100, "frame %r" % frame)
    check(frame["vcpus"][0]["exits_per_s"] > 0 and "cpu_pct" in frame, "frame %r" % frame)
    check(all(k in frame["vcpus"][0] for k in ("guest_and_kvm_pct", "halted_pct", "guest_est_pct",
                                               "kvm_est_pct", "cpu_pct")), "frame %r" % frame)
    stop_and_check(vm, c, 0)
    stats = stats_table(vm.stderr())
    # The stop's kick adds one INTR record after top looked; every device row must agree.
    devices = {k: v for k, v in stats.items() if " 0x" in k}
    check(devices and devices == top, "top %r != --stats %r" % (top, devices))
    print("ok: top --once --json and the end-of-run --stats agree on %d device rows (%d exits)"
          % (len(devices), sum(devices.values())))


def case_top_plain_and_json_stream():
    vm = Vm()
    c = Client(vm.sock_path)
    vm.type("bench pio 100000000\n")
    p = subprocess.Popen([MINIVMM, "top", "--json", "--interval", "0.3", vm.sock_path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    STARTED.append(p)
    frames = []

    def frame_until(pred, what):
        """Reads top's frames (one every 0.3 s, or as the host allows) until pred(frames)."""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            line = p.stdout.readline()
            if not line:
                fail("top ended (status %s) while waiting for %s: %r"
                     % (p.wait(), what, p.stderr.read()))
            frames.append(json.loads(line))
            if pred(frames):
                return frames[-1]
        fail("no frame with %s within %d s: %r" % (what, DEADLINE, frames[-3:]))

    frame_until(lambda f: f[-1]["exits_per_s"] > 1000, "the bench's exits")
    c.ok({"cmd": "pause"})
    # Records made just before the pause may reach the summary a little later: the rate falls
    # to 0 once the pause holds (a VM that went on exiting never gets there).
    frame_until(lambda f: f[-1]["state"] == "paused" and f[-1]["interval_s"] > 0.2
                and f[-1]["exits_per_s"] == 0, "a paused frame without exits")
    c.ok({"cmd": "resume"})
    frame_until(lambda f: f[-1]["state"] == "running" and f[-1]["exits_per_s"] > 1000,
                "the bench's exits after resume")
    q = subprocess.run([MINIVMM, "top", "--once", vm.sock_path], capture_output=True, text=True,
                       timeout=DEADLINE)
    check(q.returncode == 0 and "DEVICE ACCESS" in q.stdout and "bench-pio out 0x510" in q.stdout
          and "\033" not in q.stdout, "plain frame: %r %r" % (q.stdout, q.stderr))
    stop_and_check(vm, c, 0)
    out, err = p.communicate(timeout=DEADLINE)
    frames += [json.loads(l) for l in out.splitlines()]
    check(p.returncode == 0 and "the VM stopped (stopped (status 0))" in err,
          "top at the VM's end: %d %r" % (p.returncode, err))
    p = subprocess.run([MINIVMM, "top", "--once", os.path.join(TMP, "none.sock")],
                       capture_output=True, text=True)
    check(p.returncode == 64 and "start the VM with minivmm run --api-sock PATH" in p.stderr,
          "top without a VM: %d %r" % (p.returncode, p.stderr))
    print("ok: %d JSON frames, peak %.0f exits/s, a paused frame at 0; plain frame; the end told"
          % (len(frames), max(f["exits_per_s"] for f in frames)))


def case_top_keys():
    """top on a terminal (a pty): the screen, and the keys p (pause/resume), t (trace), s, q."""
    import pty
    vm = Vm()
    c = Client(vm.sock_path)
    master, slave = pty.openpty()
    top = subprocess.Popen([MINIVMM, "top", vm.sock_path], stdin=slave, stdout=slave,
                           stderr=slave, cwd=TMP, close_fds=True)
    os.close(slave)
    screen = b""

    def read_until(cond, what):
        """Reads the screen until cond() holds: top answers a key as soon as it gets the CPU."""
        nonlocal screen
        import select

        def more():
            nonlocal screen
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    screen += os.read(master, 65536)
                except OSError:
                    pass
            return cond()
        wait_until(more, what)

    def state():
        return c.ok({"cmd": "status"})

    read_until(lambda: b"DEVICE ACCESS" in screen and b"[p] pause/resume" in screen,
               "top's first screen")
    check(b"\033[H" in screen, "no screen: %r" % screen[-300:])
    os.write(master, b"p")
    read_until(lambda: state()["state"] == "paused", "p pausing the VM")
    os.write(master, b"p")
    read_until(lambda: state()["state"] == "running", "p resuming the VM")
    os.write(master, b"t")
    read_until(lambda: state()["trace"] is not None and b"tracing into " in screen,
               "t starting a trace and saying where")
    traces = [f for f in os.listdir(TMP) if f.startswith("minivmm-trace-")]
    check(len(traces) == 1 and state()["trace"] == os.path.join(TMP, traces[0]),
          "t did not start a trace: %r" % traces)
    os.write(master, b"t")
    read_until(lambda: state()["trace"] is None, "t stopping the trace")
    os.write(master, b"s")
    read_until(lambda: b"sorted by total" in screen, "s sorting by total")
    os.write(master, b"q")
    try:
        top.wait(DEADLINE)
    except subprocess.TimeoutExpired:
        top.kill()
        fail("q did not quit top")
    while True:  # what top wrote before it ended (EIO once it is all read)
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    check(top.returncode == 0 and b"\033[?25h" in screen,
          "top did not restore the cursor: %d %r" % (top.returncode, screen[-100:]))
    os.close(master)
    stop_and_check(vm, c, 0)
    print("ok: top on a terminal: p paused and resumed, t started and stopped a trace, s sorted, q quit")


def case_stats_counts_batched_writes():
    info = subprocess.run([MINIVMM, "info"], capture_output=True, text=True).stdout
    if not re.search(r"KVM_CAP_COALESCED_PIO +yes", info):
        print("SKIP: this KVM has no KVM_CAP_COALESCED_PIO: every serial byte exits")
        sys.exit(77)
    vm = Vm()
    c = Client(vm.sock_path)
    before = c.ok({"cmd": "stats"})
    vm.type("echo batched\n")
    vm.wait_stdout("batched\r\n")
    wait_until(lambda: vm.prompts() >= 2, "the prompt after the echo")
    after = c.ok({"cmd": "stats"})
    # The echo of 13 typed bytes, the output line and the prompt: each byte a batched write,
    # handed on at an LSR read or by the main thread's drain, and none of them a record.
    printed = len("echo batched\r\nbatched\r\nminivmm> ")
    grown = after["batched_writes"] - before["batched_writes"]
    check(grown >= printed, "%d batched writes for %d bytes printed" % (grown, printed))
    outs = [a for a in after["accesses"] if a["access"] == "uart8250 out 0x3f8"]
    check(not outs or outs[0]["samples"] < printed // 2, "THR writes still exits: %r" % outs)
    stop_and_check(vm, c, 0)
    print("ok: %d batched writes while the shell printed %d bytes" % (grown, printed))


CASES = {
    "stats_counts_batched_writes": case_stats_counts_batched_writes,
    "top_keys": case_top_keys,
    "top_agrees_with_stats": case_top_agrees_with_stats,
    "top_plain_and_json_stream": case_top_plain_and_json_stream,
    "every_command": case_every_command,
    "pause_holds_cpu": case_pause_holds_cpu,
    "pause_holds_cpu_smp": case_pause_holds_cpu_smp,
    "guest_events": case_guest_events,
    "bad_requests": case_bad_requests,
    "oversized_and_vanishing": case_oversized_and_vanishing,
    "socket_refusals": case_socket_refusals,
}

try:
    CASES[CASE]()
finally:
    for proc in STARTED:
        if proc.poll() is None:  # a case that failed: its shell guest would idle for ever
            proc.kill()
            proc.wait()
    subprocess.run(["rm", "-rf", TMP])
