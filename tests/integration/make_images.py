#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes small guest images that are large in memory, for the loader checks (loader_checks.sh)
and as fuzz seeds (tests/fuzz/make_seeds.sh copies them into corpus/elf_loader/).

usage: make_images.py DIR

Each guest, once entered, ends the run with status 0 (mov dx, 0x501; xor eax, eax; out dx, eax:
the same bytes in 32-bit protected mode and in 64-bit long mode). Every image is a few hundred
bytes; what makes it large is a bss or an address:

  mb-kludge-bss-256m.bin   Multiboot a.out kludge, load 0x100000, bss_end 0x10000000
  mb-kludge-bss-2g.bin     the same with bss_end 0x80000000
  mb-kludge-top.bin        the same with bss_end 0xbffff000: fits the 3 GiB maximum of RAM
  mb-kludge-bss-3g.bin     bss_end 0xc0001000: beyond the 3 GiB maximum, no -m can hold it
  mb-elf32-bss.elf         Multiboot ELF32 (no kludge), one PT_LOAD [0x100000, 0x7ff000)
  mb-elf32-beyond.elf      Multiboot ELF32 with a PT_LOAD at 0xfff00000
  elf64-two-segments.elf   ELF64: RX [0x100000, 0x500000) and RW [0x600000, 0x980000)
  elf64-bss-2g.elf         ELF64: one RWX PT_LOAD [0x100000, 0x80100000), 2 GiB of bss
  elf64-beyond.elf         ELF64: a PT_LOAD [0xbfff0000, 0xc0010000) across the RAM maximum
  mb-kludge-small.bin      a kludge kernel with a 1 MiB bss, and
  mb-elf32-small.elf       an ELF32 one with 64 KiB: both load in the fuzz target's 4 MiB
"""
import os
import struct
import sys

EXIT0 = bytes.fromhex("66ba0105" "31c0" "ef")  # mov dx, 0x501; xor eax, eax; out dx, eax
MB_MAGIC = 0x1BADB002
PT_LOAD, PF_X, PF_W, PF_R = 1, 1, 2, 4


def mb_header(flags, fields=()):
    checksum = (-(MB_MAGIC + flags)) & 0xFFFFFFFF
    return struct.pack("<III", MB_MAGIC, flags, checksum) + struct.pack("<%dI" % len(fields), *fields)


def kludge(bss_end, load=0x100000):
    """Header at offset 0 (header_addr = load_addr), the whole file loaded, entry right after."""
    header = mb_header(0x00010002, (load, load, 0, bss_end, load + 32))
    return header + EXIT0 + bytes(64 - len(EXIT0))


def elf64(segments, entry):
    """segments: (paddr, file bytes, memsz, flags); the file bytes follow the headers."""
    phoff, phnum = 64, len(segments)
    offset = phoff + 56 * phnum
    phdrs, data = b"", b""
    for paddr, payload, memsz, flags in segments:
        phdrs += struct.pack("<IIQQQQQQ", PT_LOAD, flags, offset + len(data), paddr, paddr,
                             len(payload), memsz, 0x1000)
        data += payload
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, phoff, 0, 0, 64, 56, phnum,
                               64, 0, 0)
    return ehdr + phdrs + data


def elf32_multiboot(paddr, memsz):
    """ELF32 EM_386 with one PT_LOAD: a multiboot header (no kludge), then the code."""
    payload = mb_header(0x00000003) + EXIT0
    offset = 52 + 32
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    ehdr = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, paddr + 12, 52, 0, 0, 52, 32, 1, 40,
                               0, 0)
    phdr = struct.pack("<IIIIIIII", PT_LOAD, offset, paddr, paddr, len(payload), memsz,
                       PF_R | PF_X, 0x1000)
    return ehdr + phdr + payload


IMAGES = {
    "mb-kludge-bss-256m.bin": kludge(0x10000000),
    "mb-kludge-bss-2g.bin": kludge(0x80000000),
    "mb-kludge-top.bin": kludge(0xBFFFF000),
    "mb-kludge-bss-3g.bin": kludge(0xC0001000),
    "mb-elf32-bss.elf": elf32_multiboot(0x100000, 0x7FF000 - 0x100000),
    "mb-elf32-beyond.elf": elf32_multiboot(0xFFF00000, 0x1000),
    "elf64-two-segments.elf": elf64([(0x100000, EXIT0, 0x400000, PF_R | PF_X),
                                     (0x600000, b"\x01" * 16, 0x380000, PF_R | PF_W)], 0x100000),
    "elf64-bss-2g.elf": elf64([(0x100000, EXIT0, 0x80000000, PF_R | PF_W | PF_X)], 0x100000),
    "elf64-beyond.elf": elf64([(0xBFFF0000, EXIT0, 0x20000, PF_R | PF_X)], 0xBFFF0000),
    "mb-kludge-small.bin": kludge(0x200000),
    "mb-elf32-small.elf": elf32_multiboot(0x100000, 0x10000),
}

if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in IMAGES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
