#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: boot Cordon with bench=1 under QEMU -icount shift=0 and
report exact instruction counts, modelled cycles and their peers.

Under -icount shift=0,align=off the guest TSC advances once per executed
instruction, so the kernel's and the bench domain's rdtsc deltas are
instruction counts, identical from run to run. Modelled cycles add the
published cost of each costly event (tools/bench/costs.json) to the
instruction count; the table is printed with the results.

Output: one line per figure, `name: value unit (peer: value)`, and the same
as JSON lines in build/bench/results.jsonl with the commit, the QEMU
version and the flags.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "runner"))

import qemu  # noqa: E402

BENCH = re.compile(r"^(?:\[bench\] )?BENCH (\S+) ([0-9.]+) (\S+)")


def git_commit():
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"],
                              cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    out_dir = os.path.join(build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    kernel = os.path.join(build, "kernel.elf")
    iso = qemu.make_iso(ROOT, build, kernel, "bench=1 init=none panic=exit",
                        name="bench")
    boot = qemu.Boot(iso, qemu=args.qemu, cpus=1, timeout=600,
                     log_path=os.path.join(out_dir, "serial.log"),
                     icount=True)
    t0 = time.monotonic()
    boot.run()
    wall = time.monotonic() - t0
    if boot.status != qemu.EXIT_SUCCESS:
        sys.exit(f"bench: QEMU exited with status {boot.status}; see "
                 f"{out_dir}/serial.log")
    got = {}
    for _, line in boot.lines:
        m = BENCH.match(line)
        if m:
            got[m.group(1)] = (float(m.group(2)), m.group(3))
    with open(os.path.join(HERE, "bench", "costs.json")) as f:
        costs = json.load(f)
    sysret = costs["syscall_sysret_round_trip"]["cycles"]

    rows = []

    def row(name, value, unit, peer=None, note=None):
        rows.append({"name": name, "value": value, "unit": unit,
                     "peer": peer, "note": note})

    call = got.get("direct_call", (None,))[0]
    null = got.get("null_syscall", (None,))[0]
    if null is not None and call is not None:
        row("null_syscall", null, "insns",
            {"direct_call": call})
        row("null_syscall_modelled", round(null + sysret, 1), "cycles",
            {"direct_call": call}, f"{null} insns + {sysret} syscall/sysret")
        row("direct_call", call, "insns")
    ncall = got.get("null_call", (None,))[0]
    if ncall is not None:
        cr3 = costs["cr3_write_with_pcid"]["cycles"]
        model = ncall + 2 * sysret + 2 * cr3
        row("null_call", ncall, "insns",
            {"null_syscall": null, "direct_call": call})
        row("null_call_modelled", round(model, 1), "cycles",
            {"RedLeaf": 124, "RedLeaf_1_rref": 141, "seL4_call_reply": 834},
            f"{ncall} insns + 2 x {sysret} syscall/sysret + 2 x {cr3} "
            "cr3 writes with PCID")
    for name in ("dom_verify", "dom_elf_check", "dom_load"):
        if name in got:
            row(name, got[name][0], got[name][1],
                {"null_syscall": null} if null else None)
    for name in ("dom_image_bytes", "bench_domain_syscalls",
                 "bench_domain_pt_switches"):
        if name in got:
            row(name, got[name][0], got[name][1])

    qv = subprocess.run([args.qemu, "--version"], capture_output=True,
                        text=True).stdout.splitlines()[0]
    meta = {"commit": git_commit(), "qemu": qv,
            "flags": " ".join(boot.argv()[1:]), "wall_s": round(wall, 2),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(os.path.join(out_dir, "results.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps({**r, **meta}) + "\n")

    print(f"# {qv}; -icount shift=0,align=off (1 TSC tick = 1 instruction)")
    print("# cost model (tools/bench/costs.json):")
    for k, v in costs.items():
        if not k.startswith("_"):
            print(f"#   {k}: {v['cycles']} cycles ({v['source']})")
    for r in rows:
        peer = ""
        if r["peer"]:
            peer = " (" + ", ".join(f"{k}: {v}" for k, v in
                                     r["peer"].items()) + ")"
        note = f"  # {r['note']}" if r["note"] else ""
        print(f"{r['name']}: {r['value']} {r['unit']}{peer}{note}")
    print(f"# results: {out_dir}/results.jsonl; wall time {wall:.1f} s")
    if not rows:
        sys.exit("bench: no BENCH lines; see serial.log")


if __name__ == "__main__":
    main()
