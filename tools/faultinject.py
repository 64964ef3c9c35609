#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make faultinject N=1000 SEED=1`: boot Cordon with faultinject=N and
fiseed=SEED, stream the campaign's progress, and print its table.

The kernel runs the campaign (tests/recovery/campaign.c): faults of every
kind in kernel/faultinj.h go into the RAM block device domain while a
client reads its blocks back byte for byte. The same seed replays the same
sequence of injections. Exits non-zero on a kernel panic, a leak, a
timeout or a QEMU failure. Median recovery time is given in instructions
(when run with --icount, where the TSC counts instructions) and in
milliseconds of emulated time (TCG: read as relative, not as hardware).
Output also goes to build/faultinject/serial.log and table.txt.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "runner"))

import qemu  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--icount", action="store_true",
                    help="run under -icount shift=0 (slower; TSC = insns)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    out_dir = os.path.join(build, "faultinject")
    os.makedirs(out_dir, exist_ok=True)
    kernel = os.path.join(build, "kernel.elf")
    cmdline = (f"faultinject={args.n} fiseed={args.seed} init=none "
               "panic=exit callwd_ms=300 initwd_ms=3000")
    iso = qemu.make_iso(ROOT, build, kernel, cmdline, name="faultinject")
    print(f"faultinject: {args.n} injections, seed {args.seed} "
          f"(replay with SEED={args.seed}); log in {out_dir}/serial.log",
          flush=True)
    boot = qemu.Boot(iso, qemu=args.qemu, cpus=2,
                     timeout=max(600, 3 * args.n),
                     log_path=os.path.join(out_dir, "serial.log"),
                     icount=args.icount)

    def progress(line):
        if line.startswith("faultinject: "):
            print(line, flush=True)
        return False

    t0 = time.monotonic()
    boot.run(until=progress)
    wall = time.monotonic() - t0
    table = [text[len("FAULTINJECT "):] for _, text in boot.lines
             if text.startswith("FAULTINJECT ")]
    with open(os.path.join(out_dir, "table.txt"), "w") as f:
        f.write("\n".join(table) + "\n")
    for line in table:
        print(line)
    print("# median-tsc: TSC ticks from the failure to the first call the "
          "new instance served" + (" (-icount shift=0: instructions executed, "
                                   "plus idle time at 1 tick per ns)"
                                   if args.icount else
                                   " (TCG without --icount: emulated "
                                   "cycles, relative only)"))
    print("# median-ms: the same in emulated wall time; it includes the "
          "restart backoff (ramblk: 10 ms first)")
    print(f"faultinject: wall time {wall:.0f} s", flush=True)
    text = "\n".join(t for _, t in boot.lines)
    if boot.timed_out:
        sys.exit("faultinject: timed out")
    if "KERNEL PANIC" in text or boot.status == qemu.EXIT_PANIC:
        sys.exit("faultinject: KERNEL PANIC; see serial.log")
    if boot.status != qemu.EXIT_SUCCESS:
        sys.exit(f"faultinject: failed (QEMU status {boot.status}): leaks "
                 "or no table; see serial.log")


if __name__ == "__main__":
    main()
