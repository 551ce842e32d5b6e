#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a command and says what it cost: its exit status, wall time, peak resident memory and
the bytes it read through read(2)-like calls.

usage: measure_run.py STDOUT STDERR -- COMMAND [ARGS...]

Prints one line: "status=N seconds=S maxrss_kib=K rchar=R". The peak RSS is the command's own
(ru_maxrss of the only child this process waits for, which also covers the command's children)
and rchar the growth of this process's /proc/self/io rchar, to which the kernel adds the
counts of a child it reaps.
"""
import resource
import subprocess
import sys
import time


def rchar():
    with open("/proc/self/io") as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    return 0


def main():
    out, err, sep, *cmd = sys.argv[1:]
    assert sep == "--" and cmd, __doc__
    before = rchar()
    start = time.monotonic()
    with open(out, "wb") as o, open(err, "wb") as e:
        status = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e).returncode
    seconds = time.monotonic() - start
    read = rchar() - before
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("status=%d seconds=%.2f maxrss_kib=%d rchar=%d" % (status, seconds, peak, read))


if __name__ == "__main__":
    main()
