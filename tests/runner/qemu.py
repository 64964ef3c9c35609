# SPDX-License-Identifier: MIT
"""Boot a Cordon ISO in QEMU and collect its serial output.

Used by run_tests.py (and, later, the benchmark and fault-injection
drivers). Output is read line by line as it arrives, each line stamped with
the wall time since QEMU started, so callers can report boot times.
"""
import os
import subprocess
import threading
import time

# isa-debug-exit: QEMU exits with (code << 1) | 1; see kernel/panic.h.
EXIT_SUCCESS = (0x10 << 1) | 1
EXIT_FAILURE = (0x11 << 1) | 1
EXIT_PANIC = (0x12 << 1) | 1


def have_real_kvm():
    try:
        with open("/proc/modules") as f:
            mods = f.read()
    except OSError:
        return False
    return (("kvm_intel " in mods or "kvm_amd " in mods)
            and os.access("/dev/kvm", os.W_OK))


def domain_modules(build):
    """The signed domain images the build made (build/domains/modules.txt)."""
    mods = []
    for name in ("modules.txt", "test_modules.txt"):
        path = os.path.join(build, "domains", name)
        if os.path.exists(path):
            with open(path) as f:
                mods += [line.strip() for line in f if line.strip()]
    return mods


def make_iso(root, build, kernel, cmdline, modules=None, name="boot"):
    """Build (or reuse) an ISO for this kernel, command line and modules
    (default: every domain image of the build)."""
    import hashlib
    if modules is None:
        modules = domain_modules(build)
    key = hashlib.sha256()
    for path in [kernel, *modules]:
        key.update(path.encode())
        key.update(str(os.stat(path).st_mtime_ns).encode())
    key.update(cmdline.encode())
    out_dir = os.path.join(build, "test", "iso")
    os.makedirs(out_dir, exist_ok=True)
    iso = os.path.join(out_dir, f"{name}-{key.hexdigest()[:12]}.iso")
    if not os.path.exists(iso):
        subprocess.run(["bash", os.path.join(root, "tools", "mkiso.sh"), iso,
                        kernel, cmdline, *modules], check=True)
    return iso


class Boot:
    """One QEMU run. Attributes after run(): lines [(t, text)], status,
    timed_out, killed (stopped on purpose after `until` matched)."""

    def __init__(self, iso, qemu="qemu-system-x86_64", cpus=2, mem="512M",
                 timeout=300, extra=(), log_path=None, icount=False):
        self.iso = iso
        self.qemu = qemu
        self.cpus = cpus
        self.mem = mem
        self.timeout = timeout
        self.extra = list(extra)
        self.log_path = log_path
        self.icount = icount
        self.lines = []
        self.status = None
        self.timed_out = False
        self.killed = False

    def argv(self):
        accel = ["-accel", "kvm", "-cpu", "host"] if have_real_kvm() and \
            os.environ.get("KVM", "") != "0" else ["-accel", "tcg", "-cpu", "max"]
        if os.environ.get("KVM") == "1":
            accel = ["-accel", "kvm", "-cpu", "host"]
        if self.icount:
            accel = ["-accel", "tcg", "-cpu", "max",
                     "-icount", "shift=0,align=off"]
        return [self.qemu, "-machine", "q35", *accel, "-smp", str(self.cpus),
                "-m", self.mem, "-no-reboot", "-display", "none",
                "-monitor", "none", "-serial", "stdio", *self.media_argv(),
                *self.extra]

    def media_argv(self):
        """What QEMU boots: the ISO, and the exit port Cordon leaves by.
        Subclasses that boot something else override this alone, so the
        machine flags stay the same (tools/linuxpeer/run.py)."""
        return ["-boot", "d", "-cdrom", self.iso,
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]

    def run(self, until=None):
        """Run to exit, timeout, or until `until(line)` returns True."""
        start = time.monotonic()
        proc = subprocess.Popen(self.argv(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        log = open(self.log_path, "w") if self.log_path else None
        stop = threading.Event()

        def reader():
            buf = b""
            while True:
                chunk = proc.stdout.read1(4096)
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    text = raw.decode("utf-8", "replace").rstrip("\r")
                    t = time.monotonic() - start
                    self.lines.append((t, text))
                    if log:
                        log.write(text + "\n")
                        log.flush()
                    if until and until(text):
                        stop.set()
            if buf:
                text = buf.decode("utf-8", "replace").rstrip("\r")
                self.lines.append((time.monotonic() - start, text))
                if log:
                    log.write(text + "\n")
            stop.set()

        th = threading.Thread(target=reader, daemon=True)
        th.start()
        finished = stop.wait(self.timeout)
        if proc.poll() is None:
            if finished and until:
                self.killed = True
            else:
                self.timed_out = not finished
            proc.kill()
        proc.wait()
        th.join(5)
        if log:
            log.close()
        self.status = proc.returncode
        return self

    def text(self):
        return "\n".join(t for _, t in self.lines)

    def time_of(self, needle):
        for t, line in self.lines:
            if needle in line:
                return t
        return None
