#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Derive a malformed domain image from a good, unsigned one.

Usage: mkbad.py KIND IN.elf OUT.elf
  badhdr  program-header offset pointing past the end of the file
  wx      the executable PT_LOAD also made writable (W+X)

The result is then signed with the trusted key by the build, so the loader
gets past the signature and must refuse the image for its structure
(tests/fault/fault_tests.c, image_with_corrupt_headers_is_refused).
"""
import struct
import sys

PT_LOAD = 1
PF_X, PF_W = 1, 2


def main():
    kind, src, dst = sys.argv[1:4]
    data = bytearray(open(src, "rb").read())
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    if kind == "badhdr":
        struct.pack_into("<Q", data, 32, len(data) + 4096)
    elif kind == "wx":
        for i in range(phnum):
            off = phoff + i * phentsize
            ptype, flags = struct.unpack_from("<II", data, off)
            if ptype == PT_LOAD and flags & PF_X:
                struct.pack_into("<I", data, off + 4, flags | PF_W)
                break
        else:
            sys.exit("mkbad: no executable PT_LOAD in " + src)
    else:
        sys.exit("mkbad: unknown kind " + kind)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
