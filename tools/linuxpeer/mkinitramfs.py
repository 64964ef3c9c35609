#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the Linux peer's initramfs: a newc ("070701") cpio archive with
the peer program as /init, the directories it mounts on (/dev, /proc,
/sys) and the device nodes /dev/console (5:1) and /dev/ttyS0 (4:64).

The kernel opens /dev/console for init before anything is mounted, so the
node must be in the archive; writing it here, rather than with cpio(1)
from a staging tree, needs no root to make device nodes. Every entry has
mtime 0 and owner root, so the same init gives the same archive.

Format: the "New ASCII Format" of the kernel's
Documentation/driver-api/early-userspace/buffer-format.rst: per entry, a
110-byte header of "070701" and 13 eight-digit hex fields, the name and
its NUL padded to a multiple of 4, the data padded likewise; then an
entry named "TRAILER!!!".
"""
import argparse
import os
import stat
import sys

MAGIC = b"070701"


def pad4(n):
    return (4 - n % 4) % 4


class Cpio:
    """A newc archive being written to a file object."""

    def __init__(self, f):
        self.f = f
        self.ino = 1

    def entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        """Add one entry; @mode carries the file type bits."""
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(name_b), 0]
        self.ino += 1
        hdr = MAGIC + b"".join(b"%08X" % v for v in fields)
        self.f.write(hdr + name_b + b"\0" * pad4(len(hdr) + len(name_b)))
        self.f.write(data + b"\0" * pad4(len(data)))

    def dir(self, name, perm=0o755):
        self.entry(name, stat.S_IFDIR | perm, nlink=2)

    def chardev(self, name, major, minor, perm=0o600):
        self.entry(name, stat.S_IFCHR | perm, rdev=(major, minor))

    def file(self, name, data, perm=0o644):
        self.entry(name, stat.S_IFREG | perm, data)

    def close(self):
        self.ino = 0
        self.entry("TRAILER!!!", 0, nlink=1)


def write_initramfs(out, init):
    """Write the archive @out with the program @init as /init."""
    with open(init, "rb") as f:
        prog = f.read()
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        c = Cpio(f)
        for d in ("dev", "proc", "sys"):
            c.dir(d)
        c.chardev("dev/console", 5, 1)
        c.chardev("dev/ttyS0", 4, 64, 0o660)
        c.file("init", prog, 0o755)
        c.close()
    os.replace(tmp, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("init", help="the static program to run as /init")
    ap.add_argument("out", help="the cpio archive to write")
    args = ap.parse_args()
    try:
        write_initramfs(args.out, args.init)
    except OSError as e:
        sys.exit(f"mkinitramfs: {e}")


if __name__ == "__main__":
    main()
