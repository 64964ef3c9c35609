#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: boot Cordon with bench=1 under QEMU -icount shift=0 and
report exact instruction counts, modelled cycles and their peers.

Under -icount shift=0,align=off the guest TSC advances once per executed
instruction, so the kernel's and the bench domain's rdtsc deltas are
instruction counts, identical from run to run. The kernel also counts
costly events (system calls, CR3 writes, TLB flushes) around separate runs
of each round trip (tests/bench/kbench.c). Modelled cycles add the
published cost of each event (tools/bench/costs.json) to the instruction
count; the table and the published peers are printed with the results.
A "BENCH error" line (a round trip that returned a wrong result) or a
missing figure fails the run.

Then the Linux peer (tools/linuxpeer/run.py) boots Debian's kernel in the
same QEMU with the same flags and adds the linux_* rows: getpid, and a
pipe and an eventfd ping-pong between two processes, which are also
printed as peers of null_syscall and null_call. It is skipped, with a
comment line saying why, when there is no kernel to boot and no root to
install one; a Linux run that fails fails make bench.

Output: one line per figure, `name: value unit (peer: value)`, and the same
as JSON lines in build/bench/results.jsonl with the commit, the QEMU
version and the flags.
"""
import argparse
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "runner"))

import qemu  # noqa: E402
from benchlib import fmt, git_commit, qemu_version, row_line  # noqa: E402
from linuxpeer import run as linuxpeer  # noqa: E402

BENCH = re.compile(r"^(?:\[bench\] )?BENCH (\S+) ([0-9.]+) (\S+)")
BENCH_ERROR = re.compile(r"BENCH error")

# The cross-domain round trips of tests/bench/benchdom/bench.c: what each
# is, its in-domain twin (the same method through echo_dispatch(), no
# kernel), the published peers beside its modelled cycles (costs.json
# "_peers") and the events per round trip expected from reading
# kernel/call.c and kernel/sheap.c. The model uses the events the kernel
# counted (kbench.c event runs); a difference from these is reported.
CALLS = [
    {"name": "null_call", "what": "echo_nop via the idlc proxy: the null "
     "call", "local": "null_local",
     "peers": ["RedLeaf_null", "VMFUNC_call_reply", "seL4_call_reply"],
     "expect": {"syscalls": 2, "cr3": 2, "invlpg": 0}},
    {"name": "calltest_call",
     "what": "calltest.ADD by hand via rt_ipc_call", "local": None,
     "peers": ["RedLeaf_null", "VMFUNC_call_reply", "seL4_call_reply"],
     "expect": {"syscalls": 2, "cr3": 2, "invlpg": 0}},
    {"name": "echo_ping_call", "what": "echo_ping via the idlc proxy",
     "local": "echo_ping_local",
     "peers": ["RedLeaf_null", "VMFUNC_call_reply", "seL4_call_reply"],
     "expect": {"syscalls": 2, "cr3": 2, "invlpg": 0}},
    {"name": "echo_bounce_call",
     "what": "echo_bounce: 1 rref moved there and back",
     "local": "echo_bounce_local", "peers": ["RedLeaf_1_rref"],
     "expect": {"syscalls": 2, "cr3": 2, "invlpg": 2}},
    {"name": "echo_peek_call", "what": "echo_peek: 1 rref lent",
     "local": "echo_peek_local", "peers": ["RedLeaf_1_rref"],
     "expect": {"syscalls": 2, "cr3": 2, "invlpg": 1}},
    {"name": "echo_batch32_call",
     "what": "echo_batch: deque + 32 rrefs moved there and back",
     "local": "echo_batch32_local", "peers": [],
     "expect": {"syscalls": 2, "cr3": 2, "invlpg": 66}},
]
EVENT_TOLERANCE = 0.05  # per round trip; timer ticks may add a few events

EVENT_NOTES = [
    "syscalls: kernel entries, SYS_CALL and SYS_CALL_RETURN (the callee "
    "is entered and the caller resumed by sysret)",
    "cr3: page-table switches, caller -> callee -> caller (aspace_switch)",
    "invlpg: one per rref object unmapped: a move unmaps it from the "
    "sender (sheap_cross on the call, sheap_ret on the return) and maps it "
    "in the receiver (no flush); a loan maps it read-only in the callee "
    "and unmaps it there when the call returns. Counted as the kernel's "
    "tlb_flushes less its CR3 writes when the CPU has no PCID (each "
    "then flushes the whole TLB; modelled CPU has PCID)",
    "not modelled: TLB refills after invlpg, cache misses",
]


REQUIRED = ["direct_call", "null_syscall", "cpu_pcid", "calltest_call_raw",
            "restart_to_first_call", "restart_to_first_call_time",
            "restart_recreate"] + [
    n for c in CALLS for n in (c["name"], c["local"]) if n] + [
    f"events_{c['name']}_{k}" for c in CALLS
    for k in ("syscalls", "pt_switches", "tlb_flushes")]


def events_of(got, name, pcid):
    """Kernel-counted events per round trip of figure `name`."""
    try:
        sc = got[f"events_{name}_syscalls"][0]
        pt = got[f"events_{name}_pt_switches"][0]
        tlb = got[f"events_{name}_tlb_flushes"][0]
    except KeyError:
        return None
    # Without PCID every CR3 write flushes the TLB and counts as a flush.
    return {"syscalls": sc, "cr3": pt,
            "invlpg": round(tlb - (0 if pcid else pt), 2)}


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
    errors = [line for _, line in boot.lines if BENCH_ERROR.search(line)]
    if boot.status != qemu.EXIT_SUCCESS or errors:
        for line in errors:
            print(line, file=sys.stderr)
        sys.exit(f"bench: QEMU exited with status {boot.status}"
                 f"{' after BENCH errors' if errors else ''}; see "
                 f"{out_dir}/serial.log")
    got = {}
    for _, line in boot.lines:
        m = BENCH.match(line)
        if m:
            got[m.group(1)] = (float(m.group(2)), m.group(3))
    missing = [n for n in REQUIRED if n not in got]
    if missing:
        sys.exit(f"bench: no figure for {', '.join(missing)}; see "
                 f"{out_dir}/serial.log")
    with open(os.path.join(HERE, "bench", "costs.json")) as f:
        costs = json.load(f)
    sysret = costs["syscall_sysret_round_trip"]["cycles"]
    cr3 = costs["cr3_write_with_pcid"]["cycles"]
    invlpg = costs["invlpg"]["cycles"]
    peers = costs["_peers"]

    rows = []

    def row(name, value, unit, peer=None, note=None, events=None):
        r = {"name": name, "value": value, "unit": unit, "peer": peer,
             "note": note}
        if events is not None:
            r["events_per_call"] = events
        rows.append(r)

    call = got.get("direct_call", (None,))[0]
    null = got.get("null_syscall", (None,))[0]
    if null is not None and call is not None:
        row("null_syscall", null, "insns",
            {"direct_call": call})
        row("null_syscall_modelled", round(null + sysret, 1), "cycles",
            {"direct_call": call}, f"{null} insns + {sysret} syscall/sysret")
        row("direct_call", call, "insns")

    pcid = got.get("cpu_pcid", (0,))[0] != 0
    warnings = []
    for c in CALLS:
        name = c["name"]
        if name not in got:
            continue
        insns = got[name][0]
        ev = events_of(got, name, pcid)
        local = got.get(c["local"], (None,))[0] if c["local"] else None
        peer = {"null_syscall": null, "direct_call": call}
        if local is not None:
            peer = {"in_domain": local, **peer}
        row(name, insns, "insns", peer, c["what"])
        if local is not None:
            row(c["local"], local, "insns", None,
                "echo_dispatch() in the bench domain: no proxy, no kernel")
        if ev is None:
            continue
        for k, want in c["expect"].items():
            if abs(ev[k] - want) > EVENT_TOLERANCE:
                warnings.append(f"{name}: kernel counted {fmt(ev[k])} {k} "
                                f"per call, the model in tools/bench.py "
                                f"expects {want}")
        model = (insns + ev["syscalls"] * sysret + ev["cr3"] * cr3 +
                 ev["invlpg"] * invlpg)
        note = (f"{insns} insns + {fmt(ev['syscalls'])} x {sysret} "
                f"syscall/sysret + {fmt(ev['cr3'])} x {cr3} cr3 write "
                f"(PCID) + {fmt(ev['invlpg'])} x {invlpg} invlpg")
        row(name + "_modelled", round(model, 1), "cycles",
            {p: peers[p]["cycles"] for p in c["peers"]} or None, note,
            events=ev)
    ping = got.get("echo_ping_call", (None,))[0]
    bounce = got.get("echo_bounce_call", (None,))[0]
    batch = got.get("echo_batch32_call", (None,))[0]
    if None not in (ping, bounce, batch):
        row("echo_batch32_call_per_rref", round((batch - ping) / 33, 1),
            "insns", {"echo_bounce_call - echo_ping_call":
                      round(bounce - ping, 1)},
            "(echo_batch32_call - echo_ping_call) / 33 objects, each "
            "moved there and back")
    ncall = got.get("calltest_call", (None,))[0]
    raw = got.get("calltest_call_raw", (None,))[0]
    # restart_to_first_call is in TSC ticks, not all instructions.
    if None not in (ncall, raw):
        row("calltest_call_raw", raw, "insns", {"calltest_call": ncall},
            "calltest.ADD by a bare SYSCALL: no runtime, no restart "
            "handling")
        row("recovery_path_cost", round(ncall - raw, 1), "insns",
            {"RedLeaf_shadow - RedLeaf_null":
             peers["RedLeaf_shadow"]["cycles"] -
             peers["RedLeaf_null"]["cycles"]},
            "calltest_call - calltest_call_raw: what the runtime's restart "
            "handling (config replay, retry) costs a call that succeeds; "
            "RedLeaf routes every call through a shadow domain instead")
    rec = got.get("restart_to_first_call", (None,))[0]
    if rec is not None:
        row("restart_to_first_call", rec, "ticks", None,
            "ramblk crashed under a reading client: failure to the first "
            "call its new instance serves (teardown, backoff, re-creation, "
            "init); best of 5. TSC ticks: the 10 ms backoff is idle time, "
            "which -icount counts as 1 tick per ns, so ~10M of this is "
            "waiting, the rest instructions")
        row("restart_to_first_call_time",
            got["restart_to_first_call_time"][0], "us", None,
            "the same in emulated time, backoff included")
        row("restart_recreate", got["restart_recreate"][0], "insns",
            {"dom_load": got.get("dom_load", (None,))[0]},
            "re-creating the instance from its verified image (no "
            "signature check)")
    for name in ("dom_verify", "dom_elf_check", "dom_load"):
        if name in got:
            row(name, got[name][0], got[name][1],
                {"null_syscall": null} if null else None)
    for name in ("dom_image_bytes", "bench_domain_syscalls",
                 "bench_domain_pt_switches"):
        if name in got:
            row(name, got[name][0], got[name][1])

    # Linux in the same QEMU: its rows carry their own flags and wall time.
    lrows, lnotes, lwarnings, lfailed = linuxpeer.for_bench(
        build, args.qemu, out_dir, costs, rows)
    rows += lrows
    warnings += lwarnings

    qv = qemu_version(args.qemu)
    meta = {"commit": git_commit(), "qemu": qv,
            "flags": " ".join(boot.argv()[1:]), "wall_s": round(wall, 2),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(os.path.join(out_dir, "results.jsonl"), "w") as f:
        for r in rows:
            rmeta = r.pop("meta", {})
            f.write(json.dumps({**r, **meta, **rmeta}) + "\n")

    print(f"# {qv}; -icount shift=0,align=off (1 TSC tick = 1 instruction)")
    print("# cost model (tools/bench/costs.json):")
    for k, v in costs.items():
        if not k.startswith("_"):
            print(f"#   {k}: {v['cycles']} cycles ({v['source']})")
    print("# published peers, cycles (tools/bench/costs.json _peers):")
    for k, v in peers.items():
        print(f"#   {k}: {v['cycles']} ({v['source']})")
    print("# *_modelled = insns + events x cost; events per round trip "
          "counted by the kernel")
    print("# (kbench.c event runs, CPU "
          f"{'with' if pcid else 'without'} PCID):")
    for n in EVENT_NOTES:
        print(f"#   {n}")
    for n in lnotes:
        print(f"# {n}")
    for r in rows:
        print(row_line(r))
    for w in warnings:
        print(f"# WARNING: {w}")
    print(f"# results: {out_dir}/results.jsonl; wall time {wall:.1f} s")
    if lfailed:
        sys.exit(f"bench: the Linux peer failed: {lfailed}")


if __name__ == "__main__":
    main()
