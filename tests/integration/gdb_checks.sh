#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# minivmm run --gdb, driven by Debian's real gdb in batch mode (tests/integration/gdb.cmake).
# usage: gdb_checks.sh MINIVMM GUEST_DIR CHECK   (exits 77 = SKIP without /dev/kvm or gdb)
# MINIVMM_EXTRA_ARGS: more run options, e.g. --no-sandbox for an ASan build (whose runtime makes
# calls the sandbox refuses).
set -u
minivmm=$1 guests=$2 check=$3
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
  echo "SKIP: /dev/kvm is missing or not accessible"
  exit 77
fi
command -v gdb >/dev/null || { echo "SKIP: gdb is not installed (tools/setup installs it)"; exit 77; }
dir=$(mktemp -d)
vmm_pid=
cleanup() { [ -n "$vmm_pid" ] && kill "$vmm_pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- gdb:"; head -c 4000 "$dir/gdb" 2>/dev/null
  echo "--- minivmm stdout:"; head -c 2000 "$dir/out" 2>/dev/null
  echo "--- minivmm stderr:"; head -c 2000 "$dir/err" 2>/dev/null
  exit 1
}
sock=$dir/gdb.sock

# start_vmm ARGS...: minivmm in the background with --gdb unix:$sock, until the socket exists.
start_vmm() {
  timeout -k 5 60 "$minivmm" run ${MINIVMM_EXTRA_ARGS:-} --gdb "unix:$sock" "$@" >"$dir/out" 2>"$dir/err" &
  vmm_pid=$!
  for _ in $(seq 100); do [ -S "$sock" ] && return 0; sleep 0.05; done
  fail "no socket $sock after 5 s"
}
# wait_vmm: its exit status in $status.
wait_vmm() { wait "$vmm_pid"; status=$?; vmm_pid=; }
# run_gdb ELF -ex ...: gdb in batch mode, connected, output in $dir/gdb.
run_gdb() {
  local elf=$1; shift
  timeout -k 5 30 gdb -batch -nx -ex "target remote $sock" "$@" "$elf" >"$dir/gdb" 2>&1
}
want() { grep -qE "$1" "$dir/gdb" || fail "gdb output lacks /$1/"; }

hello=$guests/hello.elf
case "$check" in
break_continue_registers)
  # Held before the first instruction; a kernel breakpoint; registers, memory; run to the end.
  start_vmm --gdb-wait "$hello"
  run_gdb "$hello" -ex 'info registers rip' -ex 'break kmain' -ex continue \
    -ex 'info registers' -ex 'x/2i $pc' -ex 'p/x $cr3' -ex 'x/4xb kmain' -ex 'delete' -ex continue
  wait_vmm
  want '^rip +0x1e0020 .*<kernel_entry>'
  want '^Breakpoint 1, kmain \('
  want '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <kmain>'
  want '^cs +0x8 '
  want '^cr0 +0x8'
  want '=> 0x[0-9a-f]+ <kmain>:'
  want '^\$1 = 0x3000'
  want '^0x[0-9a-f]+ <kmain>:.*0x55'   # push %rbp, not the stub's 0xcc
  want 'exited normally'
  [ "$status" = 0 ] || fail "minivmm status $status"
  grep -q '^bye (exit 0)' "$dir/out" || fail "the guest did not finish"
  ;;
stepi_and_hbreak)
  start_vmm --gdb-wait "$hello"
  run_gdb "$hello" -ex 'break kmain' -ex continue -ex 'delete' -ex stepi -ex 'p $pc' -ex stepi \
    -ex 'p $pc' -ex next -ex next -ex 'p $pc' -ex 'hbreak kputs' -ex continue \
    -ex 'info registers rip' -ex 'delete' \
    -ex 'break syscall_trap_entry' -ex continue -ex 'p/x $cs' -ex 'delete' -ex continue
  wait_vmm
  want '^\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <kmain\+1>'
  want '^\$2 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <kmain\+4>'
  want '^\$3 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <kmain\+([5-9]|[1-9][0-9]+)>'  # two nexts on
  want '^Hardware assisted breakpoint 2 at'
  want '^Breakpoint 2, kputs'
  want '^rip .*<kputs>'
  want '^Breakpoint 3, syscall_trap_entry'
  want 'exited normally'
  [ "$status" = 0 ] || fail "minivmm status $status"
  ;;
memory_errors)
  # Unmapped and non-canonical addresses are gdb errors, never a crash.
  start_vmm --gdb-wait "$hello"
  run_gdb "$hello" -ex 'x/xg 0x800000000000' -ex 'x/xg 0x7ffffffff000' -ex 'x/xg 0xfffff000' \
    -ex 'set var *(char *)0x7ffffffff000 = 1' -ex 'x/xg 0x1000' -ex kill
  wait_vmm
  want 'Cannot access memory at address 0x800000000000'
  want 'Cannot access memory at address 0x7ffffffff000'
  want '^0x1000:'
  [ "$status" = 137 ] || fail "minivmm status $status after kill, expected 137"
  ;;
ctrl_c_loop)
  # Attach to a running guest, continue, Ctrl-C (SIGINT to gdb sends 0x03), kill.
  start_vmm --guest loop
  for _ in $(seq 100); do grep -q 'spinning' "$dir/out" && break; sleep 0.05; done
  # gdb's remote log (stderr, unbuffered) says when the guest runs: interrupt only then.
  timeout -k 5 30 gdb -batch -nx -ex "target remote $sock" -ex 'set debug remote 1' -ex continue \
    -ex 'set debug remote 0' -ex 'info registers rip cs' -ex kill "$guests/loop.elf" \
    >"$dir/gdb" 2>&1 &
  timeout_pid=$!
  for _ in $(seq 200); do grep -q 'Sending packet: \$vCont;c' "$dir/gdb" && break; sleep 0.05; done
  sleep 0.3
  # The Ctrl-C goes to gdb itself: sent to timeout(1), it would reach gdb twice (timeout relays
  # it to its child and to its process group), and a second Ctrl-C before the stop reply makes
  # gdb ask "The target is not responding to interrupt requests. Stop debugging it?", answered
  # yes in batch mode: the hang seen under load was that race, not the stub.
  gdb_pid=$(cat "/proc/$timeout_pid/task/$timeout_pid/children" 2>/dev/null)
  [ -n "$gdb_pid" ] || fail "no gdb under timeout"
  kill -INT "$gdb_pid"
  wait "$timeout_pid"
  wait_vmm
  want 'received signal SIGINT'
  # Where it stops: the user loop (ring 3) or, now and then, the timer interrupt's handler.
  want '^rip .*<(main|irq_[a-z_]+)\+'
  want '^cs +0x(23|8) '
  want 'killed'
  [ "$status" = 137 ] || fail "minivmm status $status after kill, expected 137"
  ;;
threads_two_cpus)
  start_vmm --gdb-wait --cpus 2 "$hello"
  run_gdb "$hello" -ex 'info threads' -ex 'break ap_main' -ex continue -ex 'info threads' \
    -ex 'thread 1' -ex 'p $pc' -ex 'delete' -ex continue
  wait_vmm
  want '^\* 1 +Thread 1 '
  want '^ +2 +Thread 2 '
  want '^Thread 2 hit Breakpoint 1, ap_main \(.*cpu=1\)'
  want 'exited normally'
  [ "$status" = 0 ] || fail "minivmm status $status"
  ;;
detach_runs_on)
  start_vmm --gdb-wait "$hello"
  run_gdb "$hello" -ex 'break kmain' -ex continue -ex detach
  wait_vmm
  want 'Remote target\) detached'
  [ "$status" = 0 ] || fail "minivmm status $status"
  grep -q '^bye (exit 0)' "$dir/out" || fail "the guest did not run on after detach"
  ;;
tcp_loopback_and_bad_packets)
  # TCP on loopback; a client that sends garbage and bad checksums, then vanishes: the guest
  # waited for gdb, and now runs on.
  port=$((20000 + RANDOM % 20000))
  timeout -k 5 60 "$minivmm" run --gdb "$port" --gdb-wait "$hello" >"$dir/out" 2>"$dir/err" &
  vmm_pid=$!
  for _ in $(seq 100); do grep -q listening "$dir/err" && break; sleep 0.05; done
  python3 - "$port" >"$dir/gdb" 2>&1 <<'PY' || fail "python client failed"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
def rx(n=4096):
    time.sleep(0.2)
    return s.recv(n)
s.sendall(b"$g#00")                 # wrong checksum
r = rx(); print("bad checksum ->", r); assert r == b"-", r
s.sendall(b"$" + b"a" * 5000 + b"#00")  # too long
r = rx(); print("too long ->", r); assert r.startswith(b"-"), r
s.sendall(b"$m1e0060,4#29")         # good: 4 bytes of kmain (hex of its code)
r = rx(); print("m ->", r); assert r.startswith(b"+$") and len(r) == 2 + 8 + 3, r
s.sendall(b"$m800000000000,8#19")   # non-canonical
r = rx(); print("m bad ->", r); assert r.startswith(b"+$E"), r
s.sendall(b"$Z0,ffff800000000000,1#00")  # bad checksum: refused before parsing
r = rx(); print("Z0 bad sum ->", r); assert r == b"-", r
s.close()
print("ok")
PY
  wait_vmm
  grep -q '^ok' "$dir/gdb" || fail "client checks"
  [ "$status" = 0 ] || fail "minivmm status $status: the guest did not run on"
  ;;
hw_breakpoint_resumes_past_itself)
  # A client that continues with its Z1 still inserted at the PC (gdb removes it first, others
  # may not): the stub steps off it with the debug registers disarmed, so the guest runs to its
  # end instead of stopping at the same breakpoint again (this host ignores RF).
  kmain=$(nm "$hello" | awk '$3 == "kmain" {print $1}')
  start_vmm --gdb-wait "$hello"
  python3 - "$sock" "$kmain" >"$dir/gdb" 2>&1 <<'PY' || fail "python client failed"
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(20); s.connect(sys.argv[1])
def send(p):
    s.sendall(b"$%s#%02x" % (p, sum(p) % 256))
def packet():
    buf = b""
    while not (b"#" in buf and len(buf) >= buf.index(b"#") + 3):
        buf += s.recv(4096)
        buf = buf.lstrip(b"+")
    return buf[buf.index(b"$") + 1:buf.index(b"#")]
addr = sys.argv[2].lstrip("0").encode()
send(b"Z1," + addr + b",1"); r = packet(); print("Z1 ->", r); assert r == b"OK", r
send(b"c"); r = packet(); print("c ->", r); assert r.startswith(b"T05") and b"hwbreak" in r, r
send(b"p10"); r = packet(); print("rip ->", r)
assert int.from_bytes(bytes.fromhex(r.decode()), "little") == int(sys.argv[2], 16), r
send(b"c"); r = packet(); print("c again ->", r); assert r == b"W00", r
print("ok")
PY
  wait_vmm
  grep -q '^ok' "$dir/gdb" || fail "client checks"
  [ "$status" = 0 ] || fail "minivmm status $status"
  ;;
ring3_break_step_next)
  # A breakpoint in a ring-3 program, stepi and next there, and the program runs on to its end.
  # Where KVM does not see ring 3 (kvm_pvm) this goes through the traps at the guest's #BP/#DB
  # handlers (vmm/gdb/gdb_ring3.c); on VT-x/SVM through KVM itself. Either way the same result.
  dbg=$guests/debuggee.elf
  start_vmm --gdb-wait "$dbg"
  run_gdb "$dbg" -ex 'break add_square' -ex continue -ex 'p/x $cs' -ex 'p $pc' -ex stepi \
    -ex 'p $pc' -ex 'p/x $eflags & 0x100' -ex next -ex next -ex 'p total' -ex continue \
    -ex 'p n' -ex delete -ex continue
  wait_vmm
  want '^Breakpoint 1, add_square \(total=total@entry=0, n=n@entry=1\)'
  want '^\$1 = 0x23$'                                   # ring 3
  want '^\$2 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <add_square>'
  want '^\$3 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <add_square\+[1-9][0-9]*>'
  want '^\$4 = 0x0$'                                    # the step's trap flag is gone
  want '^\$5 = 1$'                                      # total after two nexts: 0 + 1*1
  want '^Breakpoint 1, add_square \(total=total@entry=1, n=n@entry=2\)'
  want '^\$6 = 2$'
  want 'exited normally'
  grep -q "^debuggee: total 30, squares 30" "$dir/out" || fail "the program did not finish"
  [ "$status" = 0 ] || fail "minivmm status $status"
  ;;
ring3_guest_int3_and_tf_pass_through)
  # The program's own int3 and trap flag (not gdb's) reach the guest's handlers while gdb has a
  # ring-3 breakpoint in (so the traps are planted): the same report and status as without gdb.
  dbg=$guests/debuggee.elf
  for what in int3 tf; do
    timeout -k 5 60 "$minivmm" run ${MINIVMM_EXTRA_ARGS:-} --cmdline "$what" "$dbg" \
      >"$dir/plain" 2>&1
    plain_status=$?
    start_vmm --gdb-wait --cmdline "$what" "$dbg"
    run_gdb "$dbg" -ex 'break add_square' -ex continue -ex stepi -ex continue -ex continue \
      -ex continue -ex continue
    wait_vmm
    want 'Breakpoint 1, add_square'
    want 'exited with code'
    report=$(grep -E '^guest: (breakpoint|debug) exception' "$dir/out")
    [ -n "$report" ] || fail "$what: the guest's handler did not run"
    grep -qF "$report" "$dir/plain" || fail "$what: '$report' differs from the run without gdb"
    [ "$status" = "$plain_status" ] || fail "$what: status $status, without gdb $plain_status"
  done
  ;;
watchpoint_user_variable)
  # A write watchpoint on a variable of a ring-3 program: natively by a debug register, or where
  # data breakpoints never fire (kvm_pvm) by making its page read-only (vmm/gdb/gdb_watch.c).
  # Each hit reports old and new value after the store; the program's other writes to that
  # page (debuggee_squares) all land, so it ends with the right sums.
  "$minivmm" info 2>/dev/null | grep -qE '^  watchpoints \(data writes\) +(native|emulated) ' ||
    { echo "SKIP: this host gives no way to watch writes"; exit 77; }
  dbg=$guests/debuggee.elf
  start_vmm --gdb-wait "$dbg"
  run_gdb "$dbg" -ex 'break main' -ex continue -ex 'watch debuggee_total' -ex continue \
    -ex 'p $pc' -ex continue -ex 'p debuggee_squares' -ex delete -ex continue
  wait_vmm
  want '^Hardware watchpoint 2: debuggee_total'
  want '^Old value = 0$'
  want '^New value = 1$'
  want '^Old value = 1$'
  want '^New value = 5$'
  want '^\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <add_square\+[0-9]+>'
  want '^\$2 = \{1, 4, 0, 0\}'
  want 'exited normally'
  grep -q "^debuggee: total 30, squares 30" "$dir/out" || fail "a write to the watched page was lost"
  [ "$status" = 0 ] || fail "minivmm status $status"
  ;;
restore_attach_and_step)
  # A snapshot of the loop guest spinning in ring 3, restored held (--gdb-wait): gdb finds the
  # saved vCPU in the user program's loop, steps it there, and the restored guest runs on.
  "$minivmm" run --timeout 1 --snapshot-on-exit "$dir/loop.snap" --guest loop >"$dir/out" 2>"$dir/err"
  s=$?
  [ "$s" = 124 ] || fail "saving the snapshot: status $s, want 124 (--timeout)"
  loop=$guests/loop.elf
  timeout -k 5 60 "$minivmm" restore ${MINIVMM_EXTRA_ARGS:-} --gdb "unix:$sock" --gdb-wait \
    --timeout 3 "$dir/loop.snap" >"$dir/out" 2>"$dir/err" &
  vmm_pid=$!
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  [ -S "$sock" ] || fail "no socket $sock after 5 s"
  run_gdb "$loop" -ex 'info registers rip cs' -ex stepi -ex 'info registers rip' -ex continue
  wait_vmm
  want '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <main\+[0-9]+>'
  want '^cs +0x[0-9a-f]*[0-9a-f][3b] '   # a ring-3 selector (RPL 3)
  [ "$(grep -cE '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <main\+[0-9]+>' "$dir/gdb")" = 2 ] ||
    fail "after stepi the vCPU left the loop in main"
  [ "$status" = 124 ] || fail "the restored guest did not run on to --timeout: status $status"
  ;;
nothing_without_gdb)
  # Without --gdb: no stub thread and no socket but the teardown helper's (host/teardown_handoff.c);
  # with it, the thread "minivmm-gdb" and one socket more.
  # (Counting all threads is racy: others start when the guest asks for them.)
  count() { # ARGS...: stub threads and socket fds of a running minivmm, after a moment
    "$minivmm" run --timeout 3 "$@" --guest loop >/dev/null 2>&1 &  # bounded by its --timeout
    local pid=$! n
    sleep 1.2
    n="$(cat /proc/$pid/task/*/comm 2>/dev/null | grep -c '^minivmm-gdb$') $(find /proc/$pid/fd -lname 'socket:*' 2>/dev/null | wc -l)"
    wait "$pid"
    echo "$n"
  }
  read -r plain_threads plain_sockets < <(count)
  read -r gdb_threads gdb_sockets < <(count --gdb "unix:$sock")
  echo "stub threads/sockets without --gdb: $plain_threads/$plain_sockets, with: $gdb_threads/$gdb_sockets"
  [ "$plain_sockets" -le 1 ] || fail "$plain_sockets sockets without --gdb, want the teardown helper's at most"
  [ "$plain_threads" = 0 ] || fail "a stub thread without --gdb"
  [ "$gdb_sockets" = $((plain_sockets + 1)) ] || fail "$gdb_sockets sockets with --gdb, want one more than without"
  [ "$gdb_threads" = 1 ] || fail "$gdb_threads stub threads with --gdb, expected 1"
  ;;
*)
  echo "gdb_checks.sh: unknown check $check" >&2
  exit 2
  ;;
esac
echo "ok: $check"
