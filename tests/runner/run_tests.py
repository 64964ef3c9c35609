#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cordon's test runner: `make test` calls this.

Runs, in order:
  unit    every host unit-test binary build/unit/test_* (KTAP-style output)
  self    one QEMU boot with test=all: the in-kernel self-tests (KTAP)
  system  the boot scenarios of tests/system/scenarios.py, one boot each

Every result is printed as "ok N name" or "not ok N name # reason", and the
run ends with exactly one line "N passed, N failed". The exit status is 1 if
anything failed, timed out, panicked or went missing. Logs: the self-test
boot's whole serial output in build/test/serial.log, its KTAP in
build/test/ktap.log, each scenario's in build/test/<name>.log.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))

import qemu  # noqa: E402

RESULT = re.compile(r"^\s*(not ok|ok) (\d+) (?:- )?([^#]+?)\s*(?:#\s*(.*))?$")


class Results:
    def __init__(self):
        self.items = []

    def add(self, name, ok, reason=""):
        self.items.append((name, ok, reason))
        n = len(self.items)
        line = f"{'ok' if ok else 'not ok'} {n} {name}"
        if reason:
            line += f" # {reason}"
        print(line, flush=True)

    def counts(self):
        passed = sum(1 for _, ok, _ in self.items if ok)
        return passed, len(self.items) - passed


def run_unit(build, res):
    bins = sorted(glob.glob(os.path.join(build, "unit", "test_*")))
    bins = [b for b in bins if os.access(b, os.X_OK) and not b.endswith(".d")]
    if not bins:
        res.add("unit", False, "no unit-test binaries were built")
        return
    for b in bins:
        prog = os.path.basename(b)
        t0 = time.monotonic()
        try:
            p = subprocess.run([b], cwd=ROOT, capture_output=True, text=True,
                               timeout=600)
            out, status = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out, status = (e.stdout or b"").decode(), None
        log = os.path.join(build, "test", "unit", prog + ".log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "w") as f:
            f.write(out)
        seen = 0
        for line in out.splitlines():
            m = RESULT.match(line)
            if m and not line.startswith(" "):
                seen += 1
                res.add(f"unit/{prog}/{m.group(3)}", m.group(1) == "ok")
        summary = re.search(r"^# \S+: (\d+) ok, (\d+) not ok$", out, re.M)
        if status is None:
            res.add(f"unit/{prog}", False, "timed out after 600 s")
        elif not summary:
            res.add(f"unit/{prog}", False,
                    f"exited with status {status} before its summary "
                    f"(crash?); see {log}")
        elif status != 0 and int(summary.group(2)) == 0:
            res.add(f"unit/{prog}", False, f"exit status {status}; see {log}")
        if seen == 0 and summary:
            res.add(f"unit/{prog}", False, "ran no test")
        print(f"# {prog}: {time.monotonic() - t0:.1f} s", flush=True)


def expected_selftests(kernel):
    out = subprocess.run(["nm", kernel], capture_output=True, text=True,
                         check=True).stdout
    names = []
    for line in out.splitlines():
        m = re.search(r"\bselftest_desc_(\w+)$", line)
        if m:
            names.append(m.group(1))
    return names


def run_self(args, res):
    kernel = os.path.join(args.build, "kernel.elf")
    expected = expected_selftests(kernel)
    iso = qemu.make_iso(ROOT, args.build, kernel, "test=all panic=exit initwd_ms=1500",
                        name="selftest")
    log = os.path.join(args.build, "test", "serial.log")
    boot = qemu.Boot(iso, qemu=args.qemu, cpus=args.cpus, mem=args.mem,
                     timeout=args.timeout, log_path=log).run()
    text = boot.text()
    ktap_lines = []
    in_ktap = False
    got = {}
    for _, line in boot.lines:
        if line.startswith("KTAP version"):
            in_ktap = True
        if in_ktap:
            ktap_lines.append(line)
        m = RESULT.match(line)
        if in_ktap and m and not line.startswith(" "):
            name = m.group(3)
            ok = m.group(1) == "ok"
            got[name] = ok
            skip = (m.group(4) or "").startswith("SKIP")
            res.add(f"self/{name}", ok,
                    m.group(4) if (skip or not ok) and m.group(4) else "")
    with open(os.path.join(args.build, "test", "ktap.log"), "w") as f:
        f.write("\n".join(ktap_lines) + "\n")
    for name in expected:
        if name not in got:
            res.add(f"self/{name}", False, "missing: the kernel never "
                    "reported it (crash, hang or timeout before it)")
    if boot.timed_out:
        res.add("self/boot", False, f"timed out after {args.timeout} s; "
                f"see {log}")
    elif "KERNEL PANIC" in text or boot.status == qemu.EXIT_PANIC:
        res.add("self/boot", False, f"kernel panic; see {log}")
    elif boot.status not in (qemu.EXIT_SUCCESS, qemu.EXIT_FAILURE):
        res.add("self/boot", False, f"QEMU exited with status {boot.status}"
                f"; see {log}")
    t_banner = boot.time_of(" online, ")
    t_end = boot.time_of("# selftests:")
    if t_banner is not None:
        print(f"# boot time (TCG): QEMU start to banner {t_banner:.2f} s"
              + (f", to end of self-tests {t_end:.2f} s" if t_end else ""),
              flush=True)


def run_system(args, res):
    from scenarios import SCENARIOS
    kernel = os.path.join(args.build, "kernel.elf")
    for sc in SCENARIOS:
        name = sc["name"]
        cpus = sc.get("cpus", args.cpus)
        iso = qemu.make_iso(ROOT, args.build, kernel, sc["cmdline"],
                            name="system")
        log = os.path.join(args.build, "test", name + ".log")
        until_re = re.compile(sc["until"]) if sc.get("until") else None
        boot = qemu.Boot(iso, qemu=args.qemu, cpus=cpus, mem=args.mem,
                         timeout=sc.get("timeout", 120), log_path=log)
        boot.run(until=(lambda l: bool(until_re.search(l))) if until_re
                 else None)
        text = boot.text()
        why = []
        if boot.timed_out:
            why.append("timed out")
        if sc["status"] is None:
            if not boot.killed:
                why.append(f"QEMU exited early (status {boot.status})")
        elif boot.status != sc["status"]:
            why.append(f"QEMU status {boot.status}, expected {sc['status']}")
        for rx in sc.get("expect", []):
            rx = rx.replace("{cpus}", str(cpus))
            if not re.search(rx, text, re.M):
                why.append(f"missing /{rx}/")
        for rx in sc.get("reject", []):
            if re.search(rx, text, re.M):
                why.append(f"unexpected /{rx}/")
        res.add(f"system/{name}", not why,
                "; ".join(why) + (f"; see {log}" if why else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--timeout", type=int, default=900,
                    help="seconds for the self-test boot")
    ap.add_argument("--only", choices=["unit", "self", "system"])
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    os.makedirs(os.path.join(args.build, "test"), exist_ok=True)
    res = Results()
    t0 = time.monotonic()
    print("KTAP version 1", flush=True)
    stages = [("unit", run_unit), ("self", run_self), ("system", run_system)]
    for stage, fn in stages:
        if args.only and args.only != stage:
            continue
        print(f"# --- {stage} ---", flush=True)
        if stage == "unit":
            fn(args.build, res)
        else:
            fn(args, res)
    passed, failed = res.counts()
    print(f"# total time {time.monotonic() - t0:.0f} s", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed or passed == 0 else 0)


if __name__ == "__main__":
    main()
