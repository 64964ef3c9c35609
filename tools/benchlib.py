# SPDX-License-Identifier: MIT
"""What tools/bench.py and its Linux peer (tools/linuxpeer/run.py) both
print: counts, and the commit a result was measured at."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fmt(x):
    """A count as 2, or 2.01 when it is not whole."""
    return str(int(round(x))) if abs(x - round(x)) < 0.005 else f"{x:.2f}"


def git_commit():
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"],
                              cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def qemu_version(qemu):
    """The first line of `qemu --version`."""
    return subprocess.run([qemu, "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]


def row_line(r):
    """A result row as make bench prints it: `name: value unit (peer:
    value, ...)  # note`."""
    peer = ""
    if r["peer"]:
        peer = " (" + ", ".join(f"{k}: {v}" for k, v in
                                 r["peer"].items()) + ")"
    note = f"  # {r['note']}" if r["note"] else ""
    return f"{r['name']}: {r['value']} {r['unit']}{peer}{note}"
