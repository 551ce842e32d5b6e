#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates the committed seed corpora in tests/fuzz/corpus/ (small on purpose: < 20 KB in all).
# ELF seeds are assembled and linked here with binutils (as, ld, strip), so they are real linker
# output yet tiny. tools/fuzz adds the built guests (build/guest/*.elf, stripped) to the working
# corpus at fuzz time. Run from anywhere; rewrites only the files it names.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$corpus"/{elf_loader,devices,cli}

# --- elf_loader ---------------------------------------------------------------------------
cat >"$tmp/start.S" <<'ASM'
	.text
	.globl _start
_start:	mov $0x501, %dx
	xor %eax, %eax
	out %al, %dx
	hlt
	.data
value:	.quad 0x1122334455667788
	.bss
buffer:	.skip 0x2000
ASM
as --64 -o "$tmp/start.o" "$tmp/start.S"
# One RWX segment: -N packs text, data and bss together with no page alignment.
ld -m elf_x86_64 -N --no-warn-rwx-segments -e _start -Ttext=0x100000 --build-id=none -o "$tmp/one.elf" "$tmp/start.o"
# Three segments (RX text, RW data + bss, R notes-free rodata) from an explicit PHDRS script.
cat >"$tmp/three.ld" <<'LD'
ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(5); data PT_LOAD FLAGS(6); }
SECTIONS {
	. = 0x200000;
	.text : { *(.text) } :text
	. = 0x201000;
	.data : { *(.data) } :data
	.bss : { *(.bss) } :data
	/DISCARD/ : { *(.note*) *(.comment) }
}
LD
ld -m elf_x86_64 -n -T "$tmp/three.ld" --build-id=none -o "$tmp/three.elf" "$tmp/start.o"
strip --strip-all -o "$corpus/elf_loader/one-segment.elf" "$tmp/one.elf"
strip --strip-all -o "$corpus/elf_loader/text-data-bss.elf" "$tmp/three.elf"
# Not an ELF: 16 bytes the flat loader places near the end of RAM (byte 8 & 3 == 2).
printf '\xeb\xfe\x90\x90\x90\x90\x90\x90\x02\x10\x00\x00\x00\x00\x00\x00' \
	>"$corpus/elf_loader/flat-near-ram-end.bin"

# Images small on disk and large in memory (issue 13): multiboot kernels whose bss reaches the
# RAM maximum or whose boot information does not fit, ELF32 and ELF64 segments beyond it, two
# segments that need more RAM than the first alone; and two multiboot kernels that load.
python3 "$here/../integration/make_images.py" "$corpus/elf_loader"

# --- devices (see fuzz_devices.c for the encoding) ----------------------------------------
# A driver's set-up (LCR, divisor, FIFO, MCR, IER), two bytes out, two in, then status reads.
printf '\x03\x20\x07\x80\x20\x04\x0c\x20\x05\x00\x20\x07\x03\x20\x06\xc7\x20\x08\x0b\x20\x05\x01''\x20\x04\x48\x20\x04\x69\x06\x02\x61\x62\x00\x06\x00\x09\x00\x04\x00\x04\x00\x0a' \
	>"$corpus/devices/driver-setup.bin"
# Loopback with every modem line up, 17 bytes into the 16-byte FIFO (overrun), reads, exit 42.
{
	printf '\x01\x20\x08\x1f'
	for i in $(seq 0 16); do printf '\x20\x04\\x%02x' "$((0x41 + i))"; done | xargs -0 printf
	printf '\x00\x09\x00\x06\x00\x04\x00\x04\x00\x04\x00\x0a\x23\x05\x2a'
} >"$corpus/devices/loopback-overrun.bin"
# Wide and straddling accesses, an unclaimed port and MMIO address, a far register offset, and
# isa-debug-exit with a 2-byte write.
printf '\x02\x18\x04\x30\x02\x01\x02\x03\x04\x04\x00\x10\x45\x00\x00\x00\xd0\x00\x00\x00\x00''\x07\xff\xff\xff\xff\xff\xff\xff\xff\x2b\x04\x03\x00' \
	>"$corpus/devices/wide-and-unclaimed.bin"

# --- cli: one NUL-separated argument list per file ----------------------------------------
printf '64M' >"$corpus/cli/size.txt"
printf '0x100000' >"$corpus/cli/address.txt"
printf '0.5' >"$corpus/cli/seconds.txt"
printf -- '-m\000200M\000--cmdline\000console=ttyS0 a=b\000--timeout\0002.5\000--strict-io\000guest.elf' \
	>"$corpus/cli/run-options.txt"
printf -- '--flat\000--load-addr\0000x200000\000kernel.bin' >"$corpus/cli/flat.txt"
printf -- '--guest\000hello\000--list-guests\000--kvm\000/dev/kvm' >"$corpus/cli/builtin.txt"
printf -- '-hm\0001G' >"$corpus/cli/short-cluster.txt"
# The forms every number option refuses (issue 13) and the command-line refusals (issue 11).
printf '0x10' >"$corpus/cli/hex-seconds.txt"
printf '1e3' >"$corpus/cli/exponent.txt"
printf ' 2' >"$corpus/cli/blank-count.txt"
printf -- '--cpus\000+2\000--timeout\000.5' >"$corpus/cli/signed-count.txt"
printf -- '--timeout\0000x10\000--timeline-exits\000007' >"$corpus/cli/timeout-hex.txt"
printf -- '--kvm=\000--trace-json\000\000--svg\000' >"$corpus/cli/empty-paths.txt"
printf -- '--iterations\000100\000--repeats\0001\000extra\000--json\000x.json' \
	>"$corpus/cli/bench-leftover.txt"
printf -- '--scale\0001e-3\000-r\0003\000--json' >"$corpus/cli/compare-scale.txt"
printf -- 'guest.elf\000--trace\000--cpu\0002\000--stats=1\000--memory' \
	>"$corpus/cli/after-guest.txt"

# --- virtqueue (see fuzz_virtqueue.c for the encoding) -------------------------------------
mkdir -p "$corpus/virtqueue"
# Set up queue 0 (size 16), one writable 256-byte buffer at 0x8000, post, notify, read and ack
# the interrupt status, read the config space.
printf '\x06\x10''\x03\x00\x00\x80\x00\x01\x00\x00\x02\x00\x00\x00''\x04\x00\x00''\x05''\x01\x18''\x00\x19\x01\x00\x00\x00''\x17\x00\x01' \
	>"$corpus/virtqueue/good-request.bin"
# A chain 0 -> 1 -> 0, notify, then a reset (Status = 0).
printf '\x06\x10''\x03\x00\x00\x80\x10\x00\x00\x00\x03\x00\x01\x00''\x03\x01\x00\x81\x10\x00\x00\x00\x03\x00\x00\x00''\x04\x00\x00''\x05''\x00\x1c\x00\x00\x00\x00' \
	>"$corpus/virtqueue/loop-then-reset.bin"
# Queue 0 with raw ring addresses: the used ring wraps past 2^64.
printf '\x16\x08''\x00\x10\x00\x00\x00\x00\x00\x00''\x00\x20\x00\x00\x00\x00\x00\x00''\xfc\xff\xff\xff\xff\xff\xff\xff''\x05' \
	>"$corpus/virtqueue/used-ring-wraps.bin"
# Queue 1 (size 8): a readable byte 0xde (deferred), then 0xba (refused by the device).
printf '\x0e\x08''\x02\x00\x50\x10\x00\x90\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x01\x00''\x02\x10\x50\x10\x00\xa0\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x02\x00\x00\x00''\x02\x00\x90\x01\xde''\x02\x00\x60\x06\x00\x00\x01\x00\x00\x00''\x0d''\x02\x00\x90\x01\xba''\x0d' \
	>"$corpus/virtqueue/queue1-defer-then-bad.bin"

du -cb "$corpus"/*/* | tail -1
