#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Linux peer of `make bench` (shared/BENCHMARKING.md, "Peers in the
same run"): Debian's kernel, booted in the same QEMU with the same flags
as Cordon's bench (-icount shift=0 included), doing the nearest
equivalents of Cordon's null system call and null cross-domain call:
getpid, and a pipe and an eventfd ping-pong between two processes.

tools/bench.py calls for_bench() after Cordon's run and adds the rows
this module makes; `make bench-linux` runs main() alone, for quick
iteration.

Steps: check for the kernel (tools/deps.sh --linux-peer installs
linux-image-amd64 when root, and otherwise prints the command: the peer
is then skipped, not failed); build peer.c with gcc -static against
glibc's libc.a; pack it as /init with mkinitramfs.py; boot. The program
prints "LINUXBENCH" figures (instructions, and the system calls and
context switches it counted from /proc per round trip) and "LINUXINFO"
lines (kernel, PTI, PCID, mitigations), then powers off. Modelled cycles
use the same costs as Cordon's rows (tools/bench/costs.json): each system
call a syscall/sysret round trip, each context switch between the two
processes one CR3 write.
"""
import argparse
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "runner"))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import mkinitramfs  # noqa: E402
import qemu  # noqa: E402
from benchlib import fmt, git_commit, qemu_version, row_line  # noqa: E402

# mitigations=off: the cost model is "mitigations off" (costs.json), and
# it turns PTI off too. panic=-1: a panic ends QEMU (-no-reboot) at once
# rather than at the timeout. Everything else is Debian's default.
CMDLINE = "console=ttyS0 quiet mitigations=off panic=-1"
TIMEOUT = 300  # seconds; the run takes about 10 under -icount

FIG = re.compile(r"^LINUXBENCH (\S+) ([0-9.]+) (\S+)(.*)$")
INFO = re.compile(r"^LINUXINFO (\S+) ?(.*)$")
ERROR = re.compile(r"^LINUXBENCH error (.*)$")

# Figures the init program must print: (name, Cordon row it is the peer
# of, what it is). The ping-pongs also print their events.
FIGS = [
    ("linux_getpid", "null_syscall",
     "getpid by a bare SYSCALL instruction, as Cordon's sys_null()"),
    ("linux_pipe_pingpong", "null_call",
     "1 byte there and back over two pipes between two processes "
     "(write, read | read, write)"),
    ("linux_eventfd_pingpong", "null_call",
     "a count there and back over two eventfds between two processes"),
]
PINGPONGS = ["linux_pipe_pingpong", "linux_eventfd_pingpong"]
# Events per ping-pong round trip: the parent's write and read and the
# child's read and write; a switch to the child and one back.
EXPECT = {"syscalls": 4, "switches": 2, "other_switches": 0}
EVENT_TOLERANCE = 0.05
REQUIRED = ["linux_loop_overhead", "linux_direct_call"] + [
    f[0] for f in FIGS] + [
    f"events_{p}_{k}" for p in PINGPONGS for k in EXPECT]


class Unavailable(Exception):
    """The peer cannot run here (no kernel and not root); skip it."""


class Failed(Exception):
    """The peer ran and went wrong (timeout, error, missing figures)."""


def say(msg):
    print(f"# {msg}", flush=True)


def version_key(path):
    return [int(p) if p.isdigit() else p
            for p in re.split(r"(\d+)", os.path.basename(path))]


def find_kernel():
    """The newest /boot/vmlinuz-*, installing linux-image-amd64 if root."""
    if not glob.glob("/boot/vmlinuz-*"):
        say("Linux peer: no /boot/vmlinuz-*; tools/deps.sh --linux-peer "
            "installs linux-image-amd64 when root")
        p = subprocess.run(["bash", os.path.join(ROOT, "tools", "deps.sh"),
                            "--linux-peer"], capture_output=True, text=True)
        if p.stdout.strip():
            print(p.stdout.strip(), flush=True)
        if p.returncode != 0:
            cmd = [line.strip() for line in p.stderr.splitlines()
                   if "apt-get install" in line] or [
                "apt-get install linux-image-amd64"]
            raise Unavailable("no /boot/vmlinuz-* and not root; install "
                              f"Debian's kernel with: {cmd[0]}")
    kernels = sorted(glob.glob("/boot/vmlinuz-*"), key=version_key)
    if not kernels:
        raise Unavailable("no /boot/vmlinuz-* after installing "
                          "linux-image-amd64")
    if not os.access(kernels[-1], os.R_OK):
        raise Unavailable(f"{kernels[-1]} is not readable by this user")
    return kernels[-1]


def newer(out, *srcs):
    """Whether @out is missing or older than any of @srcs."""
    if not os.path.exists(out):
        return True
    t = os.stat(out).st_mtime_ns
    return any(os.stat(s).st_mtime_ns > t for s in srcs)


def build_initramfs(build):
    """Build peer.c statically and pack it; returns the archive's path."""
    out_dir = os.path.join(build, "linuxpeer")
    os.makedirs(out_dir, exist_ok=True)
    src = os.path.join(HERE, "peer.c")
    prog = os.path.join(out_dir, "peer")
    cpio = os.path.join(out_dir, "peer.cpio")
    if newer(prog, src):
        say(f"Linux peer: building {os.path.relpath(prog, ROOT)} "
            "(gcc -static, glibc's libc.a)")
        cc = ["gcc", "-std=gnu11", "-static", "-O2", "-Wall", "-Wextra",
              "-Werror", "-Wno-unused-parameter", "-o", prog, src]
        p = subprocess.run(cc, capture_output=True, text=True)
        if p.returncode != 0:
            if not os.path.exists("/usr/lib/x86_64-linux-gnu/libc.a"):
                raise Unavailable("no static libc.a; install libc6-dev")
            raise Failed(f"building {src} failed:\n{p.stderr}")
    if newer(cpio, prog, os.path.join(HERE, "mkinitramfs.py")):
        mkinitramfs.write_initramfs(cpio, prog)
    return cpio


class LinuxBoot(qemu.Boot):
    """A Boot of a kernel and initramfs instead of Cordon's ISO."""

    def __init__(self, kernel, initrd, append, **kw):
        super().__init__(None, **kw)
        self.kernel = kernel
        self.initrd = initrd
        self.append = append

    def media_argv(self):
        return ["-kernel", self.kernel, "-initrd", self.initrd,
                "-append", self.append]


def run(build, qemu_bin, out_dir):
    """Boot the peer; returns its figures, info lines, flags and wall time.
    Raises Unavailable or Failed."""
    kernel = find_kernel()
    cpio = build_initramfs(build)
    log = os.path.join(out_dir, "linux-serial.log")
    boot = LinuxBoot(kernel, cpio, CMDLINE, qemu=qemu_bin, cpus=1,
                     timeout=TIMEOUT, log_path=log, icount=True)
    say(f"Linux peer: booting {kernel} under QEMU -icount shift=0 "
        f"(takes ~10 s, timeout {TIMEOUT} s); serial log {log}")
    t0 = time.monotonic()
    boot.run()
    wall = time.monotonic() - t0
    figs, info, errors = {}, {}, []
    for _, line in boot.lines:
        m = ERROR.match(line)
        if m:
            errors.append(m.group(1))
            continue
        m = FIG.match(line)
        if m:
            extra = dict(kv.split("=", 1) for kv in m.group(4).split()
                         if "=" in kv)
            figs[m.group(1)] = {"value": float(m.group(2)),
                                "unit": m.group(3), **extra}
            continue
        m = INFO.match(line)
        if m:
            info[m.group(1)] = m.group(2)
    if boot.timed_out:
        raise Failed(f"Linux did not power off within {TIMEOUT} s; see {log}")
    if errors:
        raise Failed(f"the peer program failed: {'; '.join(errors)}; "
                     f"see {log}")
    missing = [n for n in REQUIRED if n not in figs]
    if missing:
        last = [t for _, t in boot.lines if t.strip()][-1:] or ["nothing"]
        raise Failed(f"Linux printed no figure for {', '.join(missing)} "
                     f"(QEMU exit status {boot.status}, last line: "
                     f"{last[0].strip()!r}); see {log}")
    say(f"Linux peer: done in {wall:.1f} s")
    return {"figs": figs, "info": info, "wall_s": round(wall, 2),
            "kernel": kernel, "flags": shlex.join(boot.argv()[1:])}


def mitigations(info):
    """The lines of /sys/devices/system/cpu/vulnerabilities that say a
    mitigation is on, or "none"."""
    on = [f"{k[5:]}: {v}" for k, v in sorted(info.items())
          if k.startswith("vuln_") and v.startswith("Mitigation")]
    return "; ".join(on) if on else "none"


def describe(res):
    """Comment lines saying how the Linux figures were taken."""
    info, figs = res["info"], res["figs"]
    loop = figs["linux_loop_overhead"]["value"]
    return [
        f"Linux peer: {info.get('kernel', '?')} ({res['kernel']}), "
        f"same QEMU flags, initramfs /init = tools/linuxpeer/peer.c",
        f"  command line: {info.get('cmdline', CMDLINE)}",
        f"  PTI {info.get('pti', '?')}; PCID {info.get('pcid', '?')} "
        "(TCG -cpu max has none: each CR3 write flushes the TLB); "
        f"mitigations in effect: {mitigations(info)}",
        f"  each figure: best of {figs['linux_getpid'].get('rounds', '?')} "
        "rounds of N round trips less best of rounds of 1, per round "
        f"trip, less the empty harness loop ({fmt(loop)} insns: an "
        "indirect call of an empty function and the loop); the median "
        "and worst round are in the note",
        "  events per round trip counted from /proc around separate runs "
        "of 1000 less runs of none, median of 5: read/write calls "
        "(/proc/PID/io syscr+syscw), context "
        "switches of both processes (/proc/PID/status), all switches "
        "(/proc/stat ctxt); getpid is 1 syscall by construction",
        "  *_modelled = insns + syscalls x syscall/sysret + switches x "
        "cr3 write (PCID): each switch between the two processes loads "
        "the other's page table",
        f"  wall time {res['wall_s']} s",
    ]


def spread(f):
    return f"median {f.get('median', '?')}, worst {f.get('max', '?')}"


def rows(res, costs):
    """The Linux rows, as bench.py makes them, and warnings about events
    that differ from EXPECT."""
    figs = res["figs"]
    sysret = costs["syscall_sysret_round_trip"]["cycles"]
    cr3 = costs["cr3_write_with_pcid"]["cycles"]
    peers = costs["_peers"]
    meta = {"flags": res["flags"], "wall_s": res["wall_s"],
            "kernel": res["info"].get("kernel", res["kernel"]),
            "cmdline": res["info"].get("cmdline", CMDLINE)}
    out, warnings = [], []

    def row(name, value, unit, peer=None, note=None, events=None):
        r = {"name": name, "value": value, "unit": unit, "peer": peer,
             "note": note, "meta": meta}
        if events is not None:
            r["events_per_call"] = events
        out.append(r)

    direct = figs["linux_direct_call"]
    call = direct["value"]
    row("linux_direct_call", call, "insns", {"direct_call": None},
        f"a noinline C call, under Linux ({spread(direct)})")
    for name, cordon, what in FIGS:
        f = figs[name]
        insns = f["value"]
        if name in PINGPONGS:
            ev = {k: figs[f"events_{name}_{k}"]["value"] for k in EXPECT}
            for k, want in EXPECT.items():
                if abs(ev[k] - want) > EVENT_TOLERANCE:
                    warnings.append(f"{name}: counted {fmt(ev[k])} {k} per "
                                    f"round trip, tools/linuxpeer/run.py "
                                    f"expects {want}")
            peer = {cordon: None,
                    "linux_getpid": figs["linux_getpid"]["value"]}
            mpeer = {f"{cordon}_modelled": None, "seL4_call_reply":
                     peers["seL4_call_reply"]["cycles"]}
        else:
            ev = {"syscalls": 1, "switches": 0, "other_switches": 0}
            peer = {cordon: None, "linux_direct_call": call}
            mpeer = {f"{cordon}_modelled": None}
        row(name, insns, "insns", peer, f"{what} ({spread(f)})")
        model = insns + ev["syscalls"] * sysret + ev["switches"] * cr3
        note = (f"{fmt(insns)} insns + {fmt(ev['syscalls'])} x {sysret} "
                f"syscall/sysret + {fmt(ev['switches'])} x {cr3} cr3 "
                "write (PCID)")
        row(name + "_modelled", round(model, 1), "cycles", mpeer, note,
            events=ev)
    return out, warnings


def add_peers(cordon_rows, linux_rows):
    """Fill in Cordon's figures as peers of the Linux rows and the Linux
    figures as peers of Cordon's null_syscall and null_call rows."""
    by_name = {r["name"]: r for r in cordon_rows + linux_rows}
    links = {"null_syscall": "linux_getpid",
             "null_syscall_modelled": "linux_getpid_modelled",
             "null_call": "linux_pipe_pingpong",
             "null_call_modelled": "linux_pipe_pingpong_modelled"}
    for mine, theirs in links.items():
        if mine in by_name and theirs in by_name:
            r = by_name[mine]
            r["peer"] = {**(r["peer"] or {}),
                         theirs: by_name[theirs]["value"]}
    for r in linux_rows:
        if r["peer"]:
            r["peer"] = {k: (by_name[k]["value"] if v is None and k in by_name
                             else v) for k, v in r["peer"].items()}
            r["peer"] = {k: v for k, v in r["peer"].items()
                         if v is not None} or None


def for_bench(build, qemu_bin, out_dir, costs, cordon_rows):
    """What tools/bench.py needs after Cordon's run: (rows, comment
    lines, warnings, failure or None). The rows' peers are linked both
    ways with Cordon's rows; a skipped peer is one comment line."""
    try:
        res = run(build, qemu_bin, out_dir)
    except Unavailable as e:
        return [], [f"Linux peer skipped: {e}"], [], None
    except Failed as e:
        return [], [], [], str(e)
    lrows, warnings = rows(res, costs)
    add_peers(cordon_rows, lrows)
    return lrows, describe(res), warnings, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    out_dir = os.path.join(build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    try:
        res = run(build, args.qemu, out_dir)
    except Unavailable as e:
        say(f"Linux peer skipped: {e}")
        return
    except Failed as e:
        sys.exit(f"bench-linux: {e}")
    with open(os.path.join(ROOT, "tools", "bench", "costs.json")) as f:
        costs = json.load(f)
    lrows, warnings = rows(res, costs)
    add_peers([], lrows)
    qv = qemu_version(args.qemu)
    meta = {"commit": git_commit(), "qemu": qv,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    path = os.path.join(out_dir, "linux.jsonl")
    with open(path, "w") as f:
        for r in lrows:
            lmeta = r.pop("meta")
            f.write(json.dumps({**r, **meta, **lmeta}) + "\n")
    for line in describe(res):
        say(line)
    for r in lrows:
        print(row_line(r))
    for w in warnings:
        say(f"WARNING: {w}")
    say(f"results: {path}")


if __name__ == "__main__":
    main()
