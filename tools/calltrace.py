#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make calltrace FIG=null_call`: where the instructions of one
round trip of a `make bench` figure go, instruction by instruction.

Boots the bench ISO under QEMU -icount with -singlestep (one instruction
per translation block), turns on QEMU's exec log through the monitor
while the figure's loop runs, then cuts one complete round trip out of
the log (from one entry of the figure's op function to the next, which is
also what `make bench` counts, less the loop) and attributes every
instruction to a symbol of the kernel or of the domain it ran in. The
domains' load addresses come from the boot log ("region 0x...").

Prints the round trip as runs of consecutive instructions per symbol, and
a summary per part: caller (ring 3), kernel on the way in, callee (ring
3), kernel on the way back. The total includes the op function's own
checks, which `make bench` counts too, and the loop's few instructions
(round_ticks), which it does not.
"""
import argparse
import bisect
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "runner"))

import qemu  # noqa: E402

# bench figure -> (op function in tests/bench/benchdom/bench.c, the figure
# printed just before it, whose line starts the log).
FIGS = {
    "null_call": ("op_nop", "null_syscall"),
    "calltest_call": ("op_calltest", "null_local"),
    "calltest_call_raw": ("op_calltest_raw", "calltest_call"),
    "echo_ping_call": ("op_ping", "calltest_call_raw"),
    "echo_bounce_call": ("op_bounce", "echo_ping_local"),
    "echo_peek_call": ("op_peek", "echo_bounce_local"),
}
KERNEL_BASE = 0xffff800000000000


def symbols(elf, base=0):
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            syms.append((int(f[0], 16) + base, f[2]))
    return syms


def run_qemu(iso, marker, window, work):
    serial = os.path.join(work, "serial.txt")
    log = os.path.join(work, "exec.log")
    mon = os.path.join(work, "mon.sock")
    q = subprocess.Popen(
        ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-cpu",
         "max", "-icount", "shift=0,align=off", "-singlestep", "-smp", "1",
         "-m", "512M", "-no-reboot", "-display", "none", "-monitor",
         "unix:%s,server,nowait" % mon, "-serial", "file:" + serial,
         "-boot", "d", "-cdrom", iso, "-device",
         "isa-debug-exit,iobase=0xf4,iosize=0x04", "-D", log],
        stdin=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(mon):
                break
            time.sleep(0.05)
        s = socket.socket(socket.AF_UNIX)
        s.connect(mon)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                with open(serial, errors="replace") as f:
                    if marker in f.read():
                        break
            except OSError:
                pass
            time.sleep(0.005)
        else:
            sys.exit("calltrace: %r never appeared on the console" % marker)
        s.sendall(b"log exec,nochain\n")
        time.sleep(window)
        s.sendall(b"log none\n")
        time.sleep(0.1)
        s.sendall(b"quit\n")
        q.wait(timeout=30)
    finally:
        if q.poll() is None:
            q.kill()
    with open(serial, errors="replace") as f:
        boot = f.read()
    pcs = []
    with open(log, errors="replace") as f:
        for line in f:
            m = re.search(r"\[[0-9a-f]+/([0-9a-f]+)/", line)
            if m:
                pcs.append(int(m.group(1), 16))
    return boot, pcs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--fig", default="null_call", choices=sorted(FIGS))
    ap.add_argument("--window", type=float, default=0.3,
                    help="seconds of exec log to take (wall time)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    op, before = FIGS[args.fig]
    iso = qemu.make_iso(ROOT, build, os.path.join(build, "kernel.elf"),
                        "bench=1 init=none panic=exit", name="bench")
    with tempfile.TemporaryDirectory() as work:
        boot, pcs = run_qemu(iso, "BENCH %s " % before, args.window, work)

    bases = dict(re.findall(r"dom: (\S+)\.elf: starting domain \d+ "
                            r"\([^)]*\), region (0x[0-9a-f]+)", boot))
    syms = symbols(os.path.join(build, "kernel.elf"))
    owner = []  # (base, name) of each domain region
    for name, base in bases.items():
        elf = os.path.join(build, "domains", name + ".debug.elf")
        if os.path.exists(elf):
            syms += symbols(elf, int(base, 16))
            owner.append((int(base, 16), name))
    syms.sort()
    owner.sort()
    addrs = [a for a, _ in syms]
    oaddrs = [a for a, _ in owner]

    def sym(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return syms[i][1] if i >= 0 else "?"

    def where(pc):
        if pc >= KERNEL_BASE:
            return "kernel"
        i = bisect.bisect_right(oaddrs, pc) - 1
        return owner[i][1] if i >= 0 else "?"

    entry = [a for a, n in syms if n == op and a < KERNEL_BASE]
    if not entry:
        sys.exit("calltrace: no symbol %s in the bench domain" % op)
    starts = [i for i, pc in enumerate(pcs) if pc == entry[0]]
    if len(starts) < 3:
        sys.exit("calltrace: only %d round trips in the log; try a longer "
                 "--window" % len(starts))
    # The second-last complete one: the loop is in its steady state.
    seq = pcs[starts[-3]:starts[-2]]

    print("# %s: one round trip of %s, %d instructions (loop included)"
          % (args.fig, op, len(seq)))
    runs = []
    for pc in seq:
        key = (where(pc), sym(pc))
        if runs and runs[-1][0] == key:
            runs[-1][1] += 1
        else:
            runs.append([key, 1])
    for (dom, name), n in runs:
        print("%6d  %-8s %s" % (n, dom, name))
    # Parts: caller until the first kernel entry, kernel, callee, kernel,
    # caller again.
    parts = []
    entries = 0
    for pc in seq:
        dom = where(pc)
        if dom == "kernel":
            if not parts or not parts[-1][0].startswith("kernel"):
                entries += 1
            part = "kernel, call" if entries == 1 else "kernel, return"
        elif dom == "bench":
            part = "caller (bench)"
        else:
            part = "callee (%s)" % dom
        if not parts or parts[-1][0] != part:
            parts.append([part, 0])
        parts[-1][1] += 1
    total = {}
    for part, n in parts:
        total[part] = total.get(part, 0) + n
    print("# by part:")
    for part, n in total.items():
        print("%6d  %s" % (n, part))


if __name__ == "__main__":
    main()
